// Package jupyter carries Firn's kernel over Jupyter's wire protocol.
package jupyter

// KernelName is the name of Firn's kernelspec, as notebooks name it in
// metadata.kernelspec.name.
const KernelName = "firn"
