// Entry point of the Firn notebook UI.

import './styles/base.css';
import './styles/notebook.css';
import './styles/outputs.css';
import { appBase } from './api/client';
import { App } from './shell/app';
import { boot } from './shell/desktop';

const { base, token } = appBase(location, history);
const root = document.getElementById('app')!;
void boot({ base, token }, (api) => new App(root, api));
