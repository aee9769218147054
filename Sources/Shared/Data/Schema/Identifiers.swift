// Typed identifiers of the LVIS/COCO schema: image, category and annotation ids as they
// appear in the JSON, and the contiguous 0-based class index a model uses (distinct types).

/// An `image_id` / image `id` from a COCO or LVIS json.
public struct ImageID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: Int
    @inlinable public init(rawValue: Int) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: Int) { self.rawValue = rawValue }
    @inlinable public static func < (a: ImageID, b: ImageID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { String(rawValue) }
}

/// A `category_id` / category `id` from a COCO or LVIS json (not contiguous, 1-based in LVIS).
public struct CategoryID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: Int
    @inlinable public init(rawValue: Int) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: Int) { self.rawValue = rawValue }
    @inlinable public static func < (a: CategoryID, b: CategoryID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { String(rawValue) }
}

/// An annotation `id` from a COCO or LVIS json.
public struct AnnotationID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: Int
    @inlinable public init(rawValue: Int) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: Int) { self.rawValue = rawValue }
    @inlinable public static func < (a: AnnotationID, b: AnnotationID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { String(rawValue) }
}

/// A contiguous 0-based class index, as used by a model's classifier (never a `CategoryID`).
public struct ClassIndex: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: Int
    @inlinable public init(rawValue: Int) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: Int) { self.rawValue = rawValue }
    @inlinable public static func < (a: ClassIndex, b: ClassIndex) -> Bool { a.rawValue < b.rawValue }
    public var description: String { String(rawValue) }
}
