// The image files of Tests/DataTests/Fixtures (made by scripts/fixtures/make_image_fixtures.c
// with libjpeg-turbo and zlib), and byte surgery on JPEGs for the hostile-input tests.
import Foundation

enum ImageFixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)))
    }

    /// The JPEG with its last scan (from the last SOS marker to EOI) repeated `times` more
    /// times: a progressive file with as many extra scans, each walking the whole image.
    static func repeatingLastScan(_ jpeg: [UInt8], times: Int) -> [UInt8] {
        var start = jpeg.count - 2
        while start > 0 && !(jpeg[start] == 0xFF && jpeg[start + 1] == 0xDA) { start -= 1 }
        precondition(start > 0 && jpeg.suffix(2) == [0xFF, 0xD9], "not a JPEG with a scan")
        let scan = jpeg[start..<(jpeg.count - 2)]
        var result = Array(jpeg[..<(jpeg.count - 2)])
        for _ in 0..<times { result += scan }
        return result + [0xFF, 0xD9]
    }

    /// The offset of the frame header (SOF0 or SOF2 marker).
    static func frameHeaderOffset(_ jpeg: [UInt8]) -> Int? {
        (2..<(jpeg.count - 9)).first { jpeg[$0] == 0xFF && (jpeg[$0 + 1] == 0xC0 || jpeg[$0 + 1] == 0xC2) }
    }
}
