// The `tiny` preset's layer shapes (docs/design.md §Presets) at 256x256 input, batch 2:
// ResNet-18 layout (BasicBlock x [2, 2, 2, 2]), widths 32-64-128-256, GroupNorm, FPN 64
// (lateral and output convs at the largest and a small level), RPN conv, mask head 4 conv x 64
// on 14x14 RoIs. The backbone total (the 60%-of-peak target) covers the stem and res2..res5.
import SharedNN

/// One convolution of the network, with how many times its shape occurs.
struct ConvCase {
    let name: String
    let shape: Conv2DShape
    let input: [Int]
    let repeats: Int
    /// Backward computes dInput too (not for the stem, whose input is the image).
    let needsInputGradient: Bool
    /// Part of the backbone (the 60%-of-peak target is over these).
    let inBackbone: Bool
}

let batch = 2

func conv(_ name: String, _ cin: Int, _ cout: Int, kernel: Int, stride: Int = 1, at size: Int, repeats: Int = 1,
          backbone: Bool = true, inputGradient: Bool = true, images: Int = batch) -> ConvCase {
    ConvCase(name: name, shape: Conv2DShape(inChannels: cin, outChannels: cout, kernel: kernel, stride: stride,
                                            padding: kernel / 2),
             input: [images, cin, size, size], repeats: repeats, needsInputGradient: inputGradient, inBackbone: backbone)
}

/// Every convolution of the tiny network at 256x256 (sizes are input sizes).
let tinyConvolutions: [ConvCase] = [
    conv("stem 7x7/2 3->32", 3, 32, kernel: 7, stride: 2, at: 256, inputGradient: false),
    conv("res2 3x3 32->32", 32, 32, kernel: 3, at: 64, repeats: 4),
    conv("res3 3x3/2 32->64", 32, 64, kernel: 3, stride: 2, at: 64),
    conv("res3 down 1x1/2 32->64", 32, 64, kernel: 1, stride: 2, at: 64),
    conv("res3 3x3 64->64", 64, 64, kernel: 3, at: 32, repeats: 3),
    conv("res4 3x3/2 64->128", 64, 128, kernel: 3, stride: 2, at: 32),
    conv("res4 down 1x1/2 64->128", 64, 128, kernel: 1, stride: 2, at: 32),
    conv("res4 3x3 128->128", 128, 128, kernel: 3, at: 16, repeats: 3),
    conv("res5 3x3/2 128->256", 128, 256, kernel: 3, stride: 2, at: 16),
    conv("res5 down 1x1/2 128->256", 128, 256, kernel: 1, stride: 2, at: 16),
    conv("res5 3x3 256->256", 256, 256, kernel: 3, at: 8, repeats: 3),
    conv("fpn lateral 1x1 32->64", 32, 64, kernel: 1, at: 64, backbone: false),
    conv("fpn lateral 1x1 256->64", 256, 64, kernel: 1, at: 8, backbone: false),
    conv("fpn output 3x3 64->64 @64", 64, 64, kernel: 3, at: 64, backbone: false),
    conv("fpn output 3x3 64->64 @16", 64, 64, kernel: 3, at: 16, backbone: false),
    conv("rpn 3x3 64->64 @64", 64, 64, kernel: 3, at: 64, backbone: false),
    // Mask head on positive RoIs only (at most 25% of 128 per image): 64 RoIs for the batch,
    // as in bench-gemm.
    conv("mask 3x3 64->64 (64 RoIs @14)", 64, 64, kernel: 3, at: 14, repeats: 4, backbone: false, images: 64),
]
