// Layer 8 of Shared: mean-score tracker, equilibrium loss, feature memory, box jitter,
// category-balanced warm-up, repeat-factor sampling.
