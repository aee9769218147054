// Layer 4 of Shared: LVIS/COCO schema, JPEG/PNG decode and resize, the shard format, the
// training data loader with background prefetch and augmentation, the synthetic generator.
