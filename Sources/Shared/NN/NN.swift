// Layer 3 of Shared: layers with explicit forward and backward, parameters, SGD with
// momentum and weight decay, LR schedules, safetensors checkpoints.
