// Why an image could not be read, as a kind that prep counts (bad input is counted by kind)
// plus libjpeg's / libpng's own message.

/// A failure to decode image bytes.
public struct ImageDecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        /// Not a JPEG or PNG at all, or structurally broken.
        case corrupt
        /// Decoded with warnings: truncated file or damaged entropy-coded data.
        case truncated
        /// A CMYK or YCCK JPEG (not converted).
        case cmyk
        /// A JPEG libjpeg cannot turn into 8-bit RGB: 2 (or 5+) components, or not 8-bit.
        case unsupported
        /// Neither JPEG nor PNG signature.
        case unknownFormat = "unknown-format"
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind.rawValue) image: \(message)" }

    /// As a ToolError naming the file.
    public func toolError(file: String) -> ToolError {
        ToolError(description, file: file, hint: "re-download the file or remove it from the annotations")
    }
}

import SharedSupport

/// The bytes' container format, from the signature.
public enum ImageFileFormat: String, Sendable {
    case jpeg, png

    /// Detects JPEG (FF D8) and PNG (89 50 4E 47) signatures.
    public static func detect(_ bytes: UnsafeRawBufferPointer) -> ImageFileFormat? {
        if bytes.count >= 2 && bytes[0] == 0xFF && bytes[1] == 0xD8 { return .jpeg }
        if bytes.count >= 8 && bytes[0] == 0x89 && bytes[1] == 0x50 && bytes[2] == 0x4E && bytes[3] == 0x47 { return .png }
        return nil
    }
}

/// Turns a C message buffer into a String.
func codecMessage(_ buffer: [CChar]) -> String {
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    let text = String(decoding: bytes, as: UTF8.self)
    return text.isEmpty ? "unknown error" : text
}
