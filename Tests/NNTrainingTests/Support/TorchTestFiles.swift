// Hand-made PyTorch checkpoints for the reader's refusal tests: a pickle assembler (one
// method per opcode), a stored-entry zip writer, and a torch.save-shaped archive around a
// pickle; plus the fixtures of scripts/fixtures/make_torch_checkpoint_fixtures.py and the
// values it expects.
import Foundation
import XCTest
import SharedSupport
@testable import SharedNN

/// Path of a fixture in Fixtures/torch/.
func torchFixture(_ name: String) -> String { fixturePath("torch/" + name) }

/// Pickle bytes, opcode by opcode.
struct PickleBytes {
    var bytes: [UInt8] = []

    init(protocol version: UInt8 = 2) { bytes = [0x80, version] }

    @discardableResult mutating func op(_ opcode: UInt8, _ operand: [UInt8] = []) -> Self {
        bytes += [opcode] + operand
        return self
    }

    mutating func str(_ text: String) {
        let utf8 = Array(text.utf8)
        op(0x58, le32(utf8.count) + utf8)  // BINUNICODE
    }

    mutating func int(_ value: Int) {
        if (0..<256).contains(value) { op(0x4B, [UInt8(value)]) } else { op(0x4A, le32(value)) }  // BININT1 / BININT
    }

    mutating func global(_ module: String, _ name: String) { op(0x63, Array("\(module)\n\(name)\n".utf8)) }
    mutating func mark() { op(0x28) }
    mutating func tuple() { op(0x74) }
    mutating func emptyTuple() { op(0x29) }
    mutating func emptyDict() { op(0x7D) }
    mutating func setItem() { op(0x73) }
    mutating func reduce() { op(0x52) }
    mutating func stop() { op(0x2E) }

    /// A tuple of ints.
    mutating func ints(_ values: [Int]) {
        mark()
        for value in values { int(value) }
        tuple()
    }

    /// `_rebuild_tensor_v2(storage(type, key, count), offset, shape, strides, False, OrderedDict())`.
    mutating func tensor(storageType: String = "FloatStorage", key: String, count: Int, offset: Int = 0, shape: [Int], strides: [Int]) {
        global("torch._utils", "_rebuild_tensor_v2")
        mark()
        mark()
        str("storage")
        global("torch", storageType)
        str(key)
        str("cpu")
        int(count)
        tuple()
        op(0x51)  // BINPERSID
        int(offset)
        ints(shape)
        ints(strides)
        op(0x89)  // NEWFALSE
        global("collections", "OrderedDict")
        emptyTuple()
        reduce()
        tuple()
        reduce()
    }

    /// {name: tensor, ...} then STOP: a state dict.
    static func stateDict(_ tensors: [(String, (inout PickleBytes) -> Void)]) -> [UInt8] {
        var pickle = PickleBytes()
        pickle.emptyDict()
        for (name, tensor) in tensors {
            pickle.str(name)
            tensor(&pickle)
            pickle.setItem()
        }
        pickle.stop()
        return pickle.bytes
    }
}

func le16(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF)] }
func le32(_ value: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }

/// A zip archive of entries written as given (`method` and `flags` on every entry; the
/// uncompressed size announced is `announcedSize` when given, else the data's).
func zipArchive(_ entries: [(String, [UInt8])], method: Int = 0, flags: Int = 0, announcedSize: Int? = nil) -> [UInt8] {
    var out: [UInt8] = [], central: [UInt8] = []
    for (name, data) in entries {
        let offset = out.count, crc = Int(crc32Checksum(data)), raw = Array(name.utf8), size = announcedSize ?? data.count
        out += le32(0x0403_4B50) + le16(20) + le16(flags) + le16(method) + le16(0) + le16(0) + le32(crc)
            + le32(data.count) + le32(size) + le16(raw.count) + le16(0) + raw + data
        central += le32(0x0201_4B50) + le16(20) + le16(20) + le16(flags) + le16(method) + le16(0) + le16(0) + le32(crc)
            + le32(data.count) + le32(size) + le16(raw.count) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0)
            + le32(offset) + raw
    }
    let start = out.count
    out += central
    out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(entries.count) + le16(entries.count) + le32(central.count) + le32(start) + le16(0)
    return out
}

/// A torch.save-shaped archive "archive/": data.pkl, byteorder, version, data/KEY.
func torchArchive(pickle: [UInt8], storages: [(String, [UInt8])], byteorder: String? = "little") -> [UInt8] {
    var entries: [(String, [UInt8])] = [("archive/data.pkl", pickle)]
    if let byteorder { entries.append(("archive/byteorder", Array(byteorder.utf8))) }
    entries += storages.map { ("archive/data/" + $0.0, $0.1) }
    entries.append(("archive/version", Array("3\n".utf8)))
    return zipArchive(entries)
}

/// `count` float32 values 0, 1, 2, ... as little-endian bytes.
func float32Bytes(_ count: Int) -> [UInt8] {
    (0..<count).flatMap { index -> [UInt8] in le32(Int(Float(index).bitPattern)) }
}

/// The refusal `body` throws (fails the test when it returns or throws something else).
@discardableResult
func torchRefusal(_ label: String, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Any) -> ToolError? {
    do {
        _ = try body()
        XCTFail("\(label): accepted", file: file, line: line)
    } catch let error as ToolError {
        return error
    } catch {
        XCTFail("\(label): \(type(of: error)) \(error)", file: file, line: line)
    }
    return nil
}

/// The expectations the fixture script wrote (expected.json).
struct TorchExpectations {
    let document: [String: Any]

    init() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: torchFixture("expected.json")))
        document = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func file(_ name: String) throws -> [String: Any] { try XCTUnwrap(document[name] as? [String: Any], "expected.json: \(name)") }

    /// The expected state-dict tensors of fixture `name` (or another list, e.g. "momentum").
    func tensors(_ name: String, list: String = "tensors") throws -> [[String: Any]] {
        try XCTUnwrap(try file(name)[list] as? [[String: Any]])
    }
}
