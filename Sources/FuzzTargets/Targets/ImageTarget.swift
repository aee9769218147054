// Target "image": an image file as lvis-prep convert and detect-eval report read it: the
// format from the signature, the size from the header (refused past convert's default
// --max-pixels, as the tools do before any pixel buffer exists), a JPEG's scan validation,
// a full decode, a DCT-scaled decode for a small target size, and the area resize.
import SharedData

extension FuzzTarget {
    /// "image": the bytes as a JPEG or PNG file.
    static func image() -> FuzzTarget {
        FuzzTarget(name: "image", summary: "ImageDecoding.size/decode (full and DCT-scaled), JPEGCodec.validate, AreaResize",
                   maxLength: 16384) { bytes in
            Refusal.outcome(file: nil, imageErrors: true) {
                let size = try ImageDecoding.size(bytes)
                guard size.width * size.height <= ImageLimits.defaultMaxPixels else {
                    return .refused("\(size.width)x\(size.height) is over --max-pixels \(ImageLimits.defaultMaxPixels)")
                }
                if ImageFileFormat.detect(bytes) == .jpeg {
                    let validated = try JPEGCodec.validate(bytes)
                    guard validated == size else { return .finding("validate says \(validated), the header \(size)") }
                }
                let full = try ImageDecoding.decode(bytes)
                guard full.image.width == size.width, full.image.height == size.height else {
                    return .finding("decoded \(full.image.width)x\(full.image.height), the header says \(size)")
                }
                let small = (width: max(1, size.width / 5), height: max(1, size.height / 5))
                let scaled = try ImageDecoding.decode(bytes, atLeast: small)
                guard scaled.image.width >= small.width, scaled.image.height >= small.height else {
                    return .finding("a decode for at least \(small) gave \(scaled.image.width)x\(scaled.image.height)")
                }
                _ = AreaResize.resize(scaled.image, width: small.width, height: small.height)
                return .accepted
            }
        }
    }
}
