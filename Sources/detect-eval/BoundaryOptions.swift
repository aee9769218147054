// `--dilation-ratio`: Boundary IoU's boundary width (boundary-iou-api's `dilation_ratio`), for
// `--iou-type boundary` (and lists holding it) in `evaluate` and `compare`.
import ArgumentParser
import SharedEval
import SharedMasks

struct BoundaryOptions: ParsableArguments {
    @Option(name: .customLong("dilation-ratio"), parsing: .unconditional,
            help: ArgumentHelp("With --iou-type boundary: the boundary's width as a fraction of the image diagonal (boundary-iou-api's dilation_ratio; default \(MaskBoundary.defaultDilationRatio), the paper's): a mask's boundary is its pixels within max(1, round(ratio x diagonal)) pixels of its outside or the image border. E.g. --iou-type boundary --dilation-ratio 0.005.",
                               valueName: "RATIO"))
    var dilationRatio: Double?

    /// Checks the ratio against the IoU types asked for (exit 64).
    func check(_ iouType: IoUTypeChoice) throws {
        guard let dilationRatio else { return }
        if !iouType.hasBoundary {
            throw ValidationError("--dilation-ratio \(dilationRatio) sets the width of Boundary IoU's boundaries: add --iou-type boundary (or a list holding it, e.g. segm,boundary)")
        }
        if !(dilationRatio.isFinite && dilationRatio >= 0) {
            throw ValidationError("--dilation-ratio must be a finite number of at least 0 (got \(dilationRatio)); 0.02 is the reference's default")
        }
    }

    /// The ratio to evaluate with.
    var ratio: Double { dilationRatio ?? MaskBoundary.defaultDilationRatio }
}
