// The generated part of the seed corpus (`loce-fuzz seeds fuzz/corpus`, i.e. `make fuzz-seeds`):
// small valid inputs of every target, written by this library's own writers so they follow
// the current formats. scripts/fuzz/make_image_seeds.py adds image variants our encoder
// cannot make (grey, palette, progressive, CMYK).
import Foundation
import SharedSupport

/// One seed input.
public struct Seed: Sendable {
    public let name: String
    public let bytes: [UInt8]

    init(_ name: String, _ bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    init(_ name: String, text: String) {
        self.init(name, Array(text.utf8))
    }
}

public enum SeedCorpus {
    /// Seeds per target name. `configFolder` holds the preset configs (pipelines/configs).
    public static func generated(configFolder: String) throws -> [(target: String, seeds: [Seed])] {
        [
            ("json", JSONSeeds.documents),
            ("dataset", JSONSeeds.groundTruths),
            ("results", JSONSeeds.results),
            ("rle-string", MaskSeeds.compressed),
            ("rle-counts", MaskSeeds.uncompressed),
            ("rle-polygon", MaskSeeds.polygons),
            ("shard", try ShardSeeds.files()),
            ("shard-record", ShardSeeds.payloads),
            ("safetensors", SafetensorsSeeds.files),
            ("image", ImageSeeds.files),
            ("config", try configs(in: configFolder)),
        ]
    }

    /// The preset configs with their bases applied (a fuzz input is one file, alone in its
    /// folder: a "base" there would name nothing).
    static func configs(in folder: String) throws -> [Seed] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { name in
            Seed(name, [UInt8](try ConfigInheritance.resolve(path: folder + "/" + name).data))
        }
    }
}
