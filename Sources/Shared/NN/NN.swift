// Layer 3 of Shared: layers with explicit forward and backward, parameters, SGD with
// momentum and weight decay, LR schedules, safetensors checkpoints.
//
// Folders (README.md in this folder documents the API):
//   Parameters/  ParameterLayout -> ParameterStore: one allocation each for values,
//                gradients and momentum, named `Parameter` views, freezing, seeded init.
//   Layers/      conv2d, conv-transpose 2x2/2, linear, ReLU, max-pool, GroupNorm, frozen
//                BatchNorm, nearest 2x upsample, add, concat, flatten, normed 1x1 conv:
//                each a forward/backward pair with an explicit `Saved` value; backward
//                accumulates into caller-owned gradients.
//   Losses/, RoIAlign/, Optim/, Checkpoint/  (part 2 of the engine).
