// manifest.json of a shard folder: format version, split, counts, the category table
// (LVIS id <-> class index, name, group, counts, RFS repeat factor) and the shard files with
// their checksums. Small, so Codable; unknown keys are ignored by readers of older versions.
import Foundation
import SharedSupport

/// One row of the category table: the contiguous class index a model uses and the dataset's id.
public struct ShardCategory: Codable, Equatable, Sendable {
    public var index: Int
    public var id: Int
    public var name: String
    /// "r", "c" or "f".
    public var frequency: String
    /// Training images containing the category.
    public var imageCount: Int
    public var instanceCount: Int
    /// Repeat-factor sampling: max(1, sqrt(t / f)), f = imageCount / training images, t = 0.001.
    public var repeatFactor: Double
    /// Where frequency and counts came from: "json" (the file's LVIS fields) or "computed".
    public var countsSource: String

    public init(index: Int, id: Int, name: String, frequency: String, imageCount: Int, instanceCount: Int,
                repeatFactor: Double, countsSource: String) {
        self.index = index; self.id = id; self.name = name; self.frequency = frequency
        self.imageCount = imageCount; self.instanceCount = instanceCount
        self.repeatFactor = repeatFactor; self.countsSource = countsSource
    }

    public var classIndex: ClassIndex { ClassIndex(index) }
    public var categoryID: CategoryID { CategoryID(id) }
    public var group: FrequencyGroup { FrequencyGroup(rawValue: frequency) ?? .frequent }
}

/// Counts of what went into the shards.
public struct ShardCounts: Codable, Equatable, Sendable {
    public var images = 0
    public var instances = 0
    public var polygonInstances = 0
    public var rleInstances = 0
    public var crowdInstances = 0
    public var noMaskInstances = 0
    /// Instances per class index (grows to the largest index seen).
    public var instancesPerClass: [Int] = []
    /// Images containing each class index.
    public var imagesPerClass: [Int] = []

    public init() {}

    public mutating func add(_ other: ShardCounts) {
        images += other.images; instances += other.instances
        polygonInstances += other.polygonInstances; rleInstances += other.rleInstances
        crowdInstances += other.crowdInstances; noMaskInstances += other.noMaskInstances
        Self.addVectors(&instancesPerClass, other.instancesPerClass)
        Self.addVectors(&imagesPerClass, other.imagesPerClass)
    }

    static func addVectors(_ target: inout [Int], _ other: [Int]) {
        if target.count < other.count { target += Array(repeating: 0, count: other.count - target.count) }
        for (index, value) in other.enumerated() { target[index] += value }
    }

    public mutating func add(_ record: ShardRecord) {
        images += 1
        var seen = Set<Int>()
        for instance in record.instances {
            instances += 1
            let index = instance.classIndex.rawValue
            if instancesPerClass.count <= index { instancesPerClass += Array(repeating: 0, count: index + 1 - instancesPerClass.count) }
            if imagesPerClass.count <= index { imagesPerClass += Array(repeating: 0, count: index + 1 - imagesPerClass.count) }
            instancesPerClass[index] += 1
            if seen.insert(index).inserted { imagesPerClass[index] += 1 }
            if instance.isCrowd { crowdInstances += 1 }
            switch instance.segmentation {
            case .polygons: polygonInstances += 1
            case .uncompressedRLE, .compressedRLE: rleInstances += 1
            case .none: noMaskInstances += 1
            }
        }
    }
}

/// The settings a convert ran with (saved so a re-run and `merge` can check them, and so
/// every reader knows how large a stored image of the folder can be).
public struct ConvertSettings: Codable, Equatable, Sendable {
    public var annotations: String
    public var images: String
    public var split: String
    public var encoding: String
    public var maxShortSide: Int?
    public var maxLongSide: Int?
    public var jpegQuality: Int
    public var recordsPerShard: Int
    public var numPieces: Int
    /// `--max-pixels`: no record's original (hence stored) width x height is larger. nil in
    /// the files of an lvis-prep that did not record it (refused by readers: re-convert).
    public var maxPixels: Int?
    /// `--allow-outside-images`: image names could leave `--images`. nil as `maxPixels`.
    public var allowOutsideImages: Bool?

    public init(annotations: String, images: String, split: String, encoding: String, maxShortSide: Int?, maxLongSide: Int?,
                jpegQuality: Int, recordsPerShard: Int, numPieces: Int,
                maxPixels: Int = ImageLimits.defaultMaxPixels, allowOutsideImages: Bool = false) {
        self.annotations = annotations
        self.images = images
        self.split = split
        self.encoding = encoding
        self.maxShortSide = maxShortSide
        self.maxLongSide = maxLongSide
        self.jpegQuality = jpegQuality
        self.recordsPerShard = recordsPerShard
        self.numPieces = numPieces
        self.maxPixels = maxPixels
        self.allowOutsideImages = allowOutsideImages
    }
}

public struct ShardManifest: Codable, Equatable, Sendable {
    public static let formatName = "loce-shards"
    public var format: String = ShardManifest.formatName
    public var version: Int = Int(ShardFormat.version)
    public var split: String
    public var sourceFormat: String
    public var settings: ConvertSettings
    public var counts: ShardCounts
    public var categories: [ShardCategory]
    public var shards: [ShardFileSummary]
    /// Bad input skipped, by kind ("missing-image": 3, ...).
    public var skipped: [String: Int]

    public init(split: String, sourceFormat: String, settings: ConvertSettings, counts: ShardCounts,
                categories: [ShardCategory], shards: [ShardFileSummary], skipped: [String: Int]) {
        self.split = split; self.sourceFormat = sourceFormat; self.settings = settings; self.counts = counts
        self.categories = categories; self.shards = shards; self.skipped = skipped
    }

    public static let fileName = "manifest.json"

    /// For a missing or damaged manifest.
    public static let regenerateHint =
        "re-run the `lvis-prep convert` command that made this folder (or `lvis-prep merge` after a job array) to regenerate it"

    public func write(to directory: String) throws {
        try writeFileAtomically(directory + "/" + Self.fileName, bytes: try encodeJSON(self))
    }

    public static func read(directory: String) throws -> ShardManifest {
        let path = directory + "/" + fileName
        return try decodeJSON(ShardManifest.self, path: path,
                              hint: regenerateHint)
    }
}
