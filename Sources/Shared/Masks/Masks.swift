// Layer 5 of Shared: the pycocotools mask API, bit-exact: RLE encode/decode/merge/area/IoU,
// polygon rasterisation, bounding boxes.
