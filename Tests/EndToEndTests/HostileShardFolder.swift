// Shard folders built byte by byte for the hostile-input tests (this target runs the tools and
// cannot import SharedData): records, index and trailer as docs/shard-format.md (version 2)
// specifies them, and a manifest.json whose counts are those of the honest records, so that
// a crafted field is only in the bytes a reader must check.
import Foundation

enum HostileShardBytes {
    static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        (0..<8).reduce(UInt32(n)) { c, _ in c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    }

    /// zlib's CRC-32.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        ~bytes.reduce(UInt32.max) { crcTable[Int(($0 ^ UInt32($1)) & 0xFF)] ^ ($0 >> 8) }
    }

    static func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

    /// One instance: class index, box (x1, y1, x2, y2 stored pixels), its rectangle as a polygon.
    struct Instance {
        var classIndex: UInt32
        var box: [Float]
    }

    /// A raw-RGB record: a dark image with a bright rectangle per instance, stored at half the original size.
    struct Record {
        var imageID: Int64
        var width: UInt32
        var height: UInt32
        var instances: [Instance]

        var payload: [UInt8] {
            var pixels = [UInt8](repeating: 0x20, count: Int(width * height * 3))
            for instance in instances {
                let box = instance.box.map { $0.isFinite ? Int(max(0, min(Float(max(width, height)), $0))) : 0 }
                for y in box[1]..<max(box[1], min(box[3], Int(height))) {
                    for x in box[0]..<max(box[0], min(box[2], Int(width))) {
                        let colour: [UInt8] = [[0xF0, 0x30, 0x20], [0x20, 0xF0, 0x30], [0x30, 0x20, 0xF0]][Int(instance.classIndex % 3)]
                        pixels.replaceSubrange((y * Int(width) + x) * 3..<(y * Int(width) + x) * 3 + 3, with: colour)
                    }
                }
            }
            let name = Array("img\(imageID).png".utf8)
            var bytes = le(imageID) + le(UInt32(name.count)) + name
            bytes += le(width * 2) + le(height * 2) + le(width) + le(height) + [1] + le(UInt32(pixels.count)) + pixels
            bytes += le(UInt32(0)) + le(UInt32(0)) + le(UInt32(instances.count))
            for (number, instance) in instances.enumerated() {
                bytes += le(imageID * 10 + Int64(number)) + le(instance.classIndex) + [0]
                bytes += instance.box.flatMap { le($0.bitPattern) }
                let (x1, y1, x2, y2) = (instance.box[0], instance.box[1], instance.box[2], instance.box[3])
                bytes += [1] + le(UInt32(1)) + le(UInt32(8)) + [x1, y1, x2, y1, x2, y2, x1, y2].flatMap { le($0.bitPattern) }
            }
            return bytes
        }
    }

    /// A version-2 shard of `payloads`; `index` may replace the record offsets (the index and
    /// trailer CRCs are computed over whatever is written, so only the structure checks catch it).
    static func shard(_ payloads: [[UInt8]], index replacement: [UInt64]? = nil) -> [UInt8] {
        let header = Array("LOCESHRD".utf8) + le(UInt32(2)) + le(UInt32(0))
        var bytes = header
        var offsets: [UInt64] = []
        for payload in payloads {
            offsets.append(UInt64(bytes.count))
            bytes += le(UInt32(payload.count)) + le(crc32(payload)) + payload
        }
        let indexOffset = UInt64(bytes.count)
        let index = (replacement ?? offsets).flatMap { le($0) }
        bytes += index
        var trailer = le(indexOffset) + le(UInt32(payloads.count)) + le(crc32(index)) + le(crc32(header))
        trailer += le(crc32(trailer)) + Array("LOCEINDX".utf8)
        return bytes + trailer
    }
}

/// A shard folder on disk: shard files and a manifest.json (3 categories, LVIS ids 10, 20, 30).
struct HostileShardFolder {
    let path: String

    /// Four 64 x 48 images in two shards, one or two instances each, every class used.
    static let honest: [[HostileShardBytes.Record]] = [
        [.init(imageID: 1, width: 64, height: 48, instances: [.init(classIndex: 0, box: [6, 8, 28, 36]), .init(classIndex: 2, box: [36, 12, 58, 40])]),
         .init(imageID: 2, width: 48, height: 64, instances: [.init(classIndex: 1, box: [8, 10, 40, 40])])],
        [.init(imageID: 3, width: 64, height: 40, instances: [.init(classIndex: 2, box: [30, 4, 60, 34])]),
         .init(imageID: 4, width: 56, height: 56, instances: [.init(classIndex: 0, box: [6, 20, 30, 50]), .init(classIndex: 1, box: [32, 4, 50, 24])])],
    ]

    /// Writes the honest folder, with `shardBytes` replacing what is written for shard i and
    /// `edit` applied to the manifest (as JSON) last.
    @discardableResult
    static func write(at path: String, shardBytes: (Int, [HostileShardBytes.Record]) -> [UInt8] = { HostileShardBytes.shard($1.map(\.payload)) },
                      edit: (inout [String: Any]) -> Void = { _ in }) throws -> HostileShardFolder {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        var shards: [[String: Any]] = []
        var instancesPerClass = [0, 0, 0], imagesPerClass = [0, 0, 0], instances = 0
        for (number, records) in honest.enumerated() {
            let name = String(format: "shard-%05d.bin", number)
            let bytes = shardBytes(number, records)
            try Data(bytes).write(to: URL(fileURLWithPath: path + "/" + name))
            shards.append(["file": name, "records": records.count, "bytes": bytes.count, "crc32": Int(HostileShardBytes.crc32(bytes))])
            for record in records {
                instances += record.instances.count
                for instance in record.instances { instancesPerClass[Int(instance.classIndex)] += 1 }
                for classIndex in Set(record.instances.map(\.classIndex)) { imagesPerClass[Int(classIndex)] += 1 }
            }
        }
        var manifest: [String: Any] = [
            "format": "loce-shards", "version": 2, "split": "train", "sourceFormat": "lvis-v1", "skipped": [String: Int](),
            "settings": ["annotations": "hostile.json", "images": "hostile", "split": "train", "encoding": "raw", "jpegQuality": 90,
                         "recordsPerShard": 2, "numPieces": 1, "maxPixels": 1_638_400, "allowOutsideImages": false] as [String: Any],
            "counts": ["images": honest.joined().count, "instances": instances, "polygonInstances": instances, "rleInstances": 0,
                       "crowdInstances": 0, "noMaskInstances": 0, "instancesPerClass": instancesPerClass, "imagesPerClass": imagesPerClass],
            "categories": (0..<3).map { ["index": $0, "id": 10 * ($0 + 1), "name": "class\($0)", "frequency": "f", "imageCount": 2,
                                         "instanceCount": 2, "repeatFactor": 1, "countsSource": "computed"] as [String: Any] },
            "shards": shards,
        ]
        edit(&manifest)
        try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path + "/manifest.json"))
        return HostileShardFolder(path: path)
    }

    /// Records of `records` with `tamper` applied to every one (CRCs stay valid).
    static func crafted(_ records: [HostileShardBytes.Record], _ tamper: (inout HostileShardBytes.Record) -> Void) -> [UInt8] {
        HostileShardBytes.shard(records.map { record in
            var copy = record
            tamper(&copy)
            return copy.payload
        })
    }
}
