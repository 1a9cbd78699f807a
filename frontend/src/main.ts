// Entry point of the Firn notebook UI.

import './styles/base.css';
import './styles/notebook.css';
import './styles/outputs.css';
import { Api, appBase } from './api/client';
import { App } from './shell/app';

const { base, token } = appBase(location, history);
const root = document.getElementById('app')!;
const app = new App(root, new Api({ base, token }));
void app.start();
