// The mask sizes an RLE can describe: run lengths are 32-bit (pycocotools' `uint`), so
// height * width must be at most 2^32 - 1. Sizes read from files are checked here first.
import SharedData
import SharedSupport

extension RLE {
    /// The most pixels an RLE mask can hold (its runs, and their sum, are `UInt32`).
    public static let maximumPixels = UInt64(UInt32.max)

    /// `height * width` (computed in 64 bits) when an RLE can describe a mask of that size:
    /// both non-negative and the product at most `maximumPixels`; nil otherwise.
    public static func pixels(height: Int, width: Int) -> UInt32? {
        guard let pixels = RunLengthKernels.imagePixels(height: height, width: width),
              pixels <= maximumPixels else { return nil }
        return UInt32(pixels)
    }

    /// Throws unless an RLE mask of `height` x `width` can exist (the caller adds the file
    /// and record).
    public static func checkSize(height: Int, width: Int) throws {
        if pixels(height: height, width: width) == nil { throw sizeError(height: height, width: width) }
    }

    /// The error for a mask size no RLE can describe.
    public static func sizeError(height: Int, width: Int) -> ToolError {
        let product = RunLengthKernels.imagePixels(height: height, width: width).map { " = \($0) pixels" } ?? ""
        return ToolError("a \(height)x\(width) mask (height x width\(product)) is larger than an RLE mask can describe: "
                         + "at most \(maximumPixels) pixels, as pycocotools' run lengths are 32-bit",
                         hint: "check the image's height and width; masks of an image this large cannot be represented")
    }

    /// The precondition of the non-throwing constructors: a size `pixels(height:width:)` accepts.
    @inline(__always)
    static func requireDescribable(height: Int, width: Int) -> UInt32 {
        guard let pixels = pixels(height: height, width: width) else {
            preconditionFailure("an RLE of \(height) x \(width) cannot exist; check sizes from input with RLE.checkSize")
        }
        return pixels
    }
}
