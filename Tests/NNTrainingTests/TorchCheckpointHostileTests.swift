// PyTorch checkpoints made by an attacker or damaged on the way: pickles that name code
// (os.system, eval, getattr, Popen), opcodes outside the subset, memo and stack abuse,
// absurd lengths, cycles and exponential sharing; zip archives with missing, short, damaged
// or compressed-away entries; storages too short for their views; big-endian data; every
// truncation and random byte flips of real files. Each is a ToolError naming the file and
// what is wrong; nothing traps or allocates by a number it read.
import Foundation
import XCTest
import SharedSupport
@testable import SharedNN

final class TorchCheckpointHostileTests: XCTestCase {
    /// The refusal of `bytes` read as a checkpoint called "hostile" (a data error naming it).
    func refusal(_ bytes: [UInt8], _ label: String, file: StaticString = #filePath, line: UInt = #line) -> ToolError? {
        let error = torchRefusal(label, file: file, line: line) { try TorchCheckpoint.parse(bytes, name: "hostile") }
        XCTAssertEqual(error?.file, "hostile", label, file: file, line: line)
        XCTAssertEqual(error?.exitCode, .dataError, label, file: file, line: line)
        return error
    }

    func assertRefused(_ bytes: [UInt8], _ words: String, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let error = refusal(bytes, label, file: file, line: line) else { return }
        XCTAssertTrue(error.message.contains(words), "\(label): \"\(error.message)\" lacks \"\(words)\"", file: file, line: line)
    }

    /// A pickle: PROTO 2, `body`, STOP.
    func pickle(_ body: [UInt8], protocol version: UInt8 = 2) -> [UInt8] { [0x80, version] + body + [0x2E] }

    func testCodeIsNeverCalledAndIsNamed() {
        for (module, name) in [("os", "system"), ("posix", "system"), ("builtins", "eval"), ("__builtin__", "getattr"),
                               ("subprocess", "Popen"), ("torch", "load"), ("numpy", "load"), ("torch._utils", "_rebuild_qtensor")] {
            var global = PickleBytes()
            global.global(module, name)
            global.str("echo pwned")
            global.op(0x85)
            global.reduce()
            global.stop()
            assertRefused(global.bytes, "\(module).\(name), which this reader does not allow", "GLOBAL \(module).\(name)")
            let short = { (text: String) in [UInt8(0x8C), UInt8(text.utf8.count)] + Array(text.utf8) }
            let stackGlobal = pickle(short(module) + short(name) + [0x93] + short("x") + [0x85, 0x52], protocol: 4)
            assertRefused(stackGlobal, "\(module).\(name), which this reader does not allow", "STACK_GLOBAL \(module).\(name)")
        }
        for (fixture, callable) in [("malicious.pth", "posix.system"), ("malicious_eval.pkl", "builtins.eval")] {
            let error = torchRefusal(fixture) { try TorchCheckpoint.read(path: torchFixture(fixture)) }
            XCTAssertTrue(error?.message.contains("asks for \(callable)") ?? false, "\(fixture): \(String(describing: error))")
            XCTAssertEqual(error?.file, torchFixture(fixture))
            XCTAssertNotNil(error?.record, "\(fixture): the byte is named")
        }
        // Allowed names only mean what the reader makes of them.
        assertRefused(pickle(Array("ctorch\nFloatStorage\n".utf8) + [0x29, 0x52]), "only read as a type, never called", "calling a storage type")
        assertRefused(pickle([0x4E, 0x29, 0x52]), "REDUCE calls None", "calling None")
        assertRefused(pickle(Array("ccollections\nOrderedDict\n".utf8) + [0x4B, 0x01, 0x85, 0x52]), "collections.OrderedDict of an int", "OrderedDict(1)")
        assertRefused(pickle(Array("c_codecs\nencode\n".utf8) + [0x8C, 0x01, 0x61, 0x8C, 0x04] + Array("utf8".utf8) + [0x86, 0x52]),
                      "only read as encode(str, \"latin1\")", "_codecs.encode with utf8")
        assertRefused(pickle(Array("ccollections\nOrderedDict\n".utf8)), "collections.OrderedDict itself as a value", "a class as a value")
    }

    func testOpcodesMemoAndStackAreChecked() {
        let cases: [([UInt8], String, String)] = [
            (pickle([0x49, 0x31, 0x0A]), "opcode INT (0x49) is outside the pickle subset", "INT"),
            (pickle([0x69] + Array("os\nsystem\n".utf8)), "opcode INST (0x69) is outside", "INST"),
            (pickle([0x82, 0x01]), "opcode EXT1 (0x82) is outside", "EXT1"),
            (pickle([0xFF]), "byte 0xff is not a pickle opcode", "0xFF"),
            (pickle([0x68, 0x05]), "memo entry 5, which it never stored", "BINGET 5"),
            (pickle([0x6A, 0xFF, 0xFF, 0xFF, 0xFF]), "memo entry 4294967295", "LONG_BINGET"),
            (pickle([0x71, 0x00]), "stack underflow", "BINPUT on an empty stack"),
            (pickle([0x52]), "stack underflow", "REDUCE on an empty stack"),
            (pickle([]), "stack underflow", "STOP on an empty stack"),
            (pickle([0x74]), "needs a MARK", "TUPLE without MARK"),
            (pickle([0x4E, 0x28, 0x85]), "stack underflow", "TUPLE1 across a MARK"),
            (pickle([0x28, 0x4E, 0x75]), "stack underflow", "SETITEMS without a dict"),
            (pickle([0x7D, 0x28, 0x4E, 0x75]), "a key and no value", "SETITEMS with an odd count"),
            (pickle([0x4E, 0x4E, 0x61]), "APPEND to None", "APPEND to None"),
            (pickle([0x4B, 0x01, 0x4E, 0x62]), "BUILD of an int", "BUILD of an int"),
            (pickle([0x4E, 0x51]), "a persistent id (BINPERSID) where torch.save writes none", "BINPERSID in a plain pickle"),
            (pickle([0x7D, 0x29, 0x4E, 0x73]), "a dict key that is a tuple", "a tuple key"),
            (pickle([0x8F]), "a Python set", "a set"),
            (pickle([0x58, 0x02, 0, 0, 0, 0xC3, 0x28]), "not valid UTF-8", "invalid UTF-8"),
            ([0x80, 0x06, 0x4E, 0x2E], "pickle protocol 6 is newer than 5", "PROTO 6"),
            ([0x80, 0x02, 0x4E, 0x2E, 0x00], "1 bytes follow the end (STOP) of the pickle", "trailing byte"),
            ([0x80, 0x02, 0x4E], "ends early", "no STOP"),
            ([0x80, 0x02, 0x58, 0x10, 0, 0, 0, 0x61], "ends early", "a short str"),
            ([0x80, 0x02, 0x63] + Array("os\nsys".utf8), "ends inside a GLOBAL name", "a cut GLOBAL"),
            ([0x80, 0x02, 0x63] + [UInt8](repeating: 0x61, count: 2000), "longer than 1 KB", "an endless GLOBAL name"),
        ]
        for (bytes, words, label) in cases { assertRefused(bytes, words, label) }
        // The byte of the offending opcode is named.
        XCTAssertEqual(refusal(pickle([0x4E, 0x30, 0xFF]), "record")?.record, "the pickle, byte 4")
    }

    func testAbsurdLengthsAreRefusedBeforeAllocating() {
        let huge: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0x40]  // 2^62
        let cases: [([UInt8], String, String)] = [
            ([0x80, 0x04, 0x8D] + huge, "ends early", "BINUNICODE8 of 2^62 bytes"),
            ([0x80, 0x04, 0x8E] + huge, "ends early", "BINBYTES8 of 2^62 bytes"),
            ([0x80, 0x05, 0x96] + huge, "ends early", "BYTEARRAY8 of 2^62 bytes"),
            ([0x80, 0x02, 0x42, 0xFF, 0xFF, 0xFF, 0xFF], "ends early", "BINBYTES of 4 GiB"),
            ([0x80, 0x02, 0x54, 0xFF, 0xFF, 0xFF, 0xFF], "BINSTRING with a negative length", "BINSTRING of -1"),
            ([0x80, 0x02, 0x8B, 0xFF, 0xFF, 0xFF, 0x7F], "ends early", "LONG4 of 2 GiB"),
            ([0x80, 0x02, 0x8B, 0xFF, 0xFF, 0xFF, 0xFF], "LONG4 with a negative length", "LONG4 of -1"),
            ([0x80, 0x04, 0x95] + huge, "ends early", "FRAME of 2^62"),
        ]
        for (bytes, words, label) in cases { assertRefused(bytes, words, label) }
    }

    func testCyclesDepthAndExponentialSharingAreBounded() {
        assertRefused(pickle([0x29] + [UInt8](repeating: 0x85, count: 200)), "nested more than 128 deep", "200 nested tuples")
        assertRefused(pickle([0x5D, 0x71, 0x00, 0x68, 0x00, 0x61]), "nested more than 128 deep", "a list containing itself")
        // t0 = (); t(i+1) = (t(i), t(i)): 2^61 values from 60 opcodes of sharing.
        var body: [UInt8] = [0x29, 0x71, 0x00]
        for index in 0..<60 { body += [0x68, UInt8(index), 0x68, UInt8(index), 0x86, 0x71, UInt8(index + 1)] }
        assertRefused(pickle(body), "too many values", "exponential sharing")
    }

    func testSharedBytesAreCopiedOnceAndEncodingIsBounded() throws {
        // 256 KB of bytes, memoised, then 10,000 references to it: one copy, not 2.5 GB.
        var body: [UInt8] = [0x42] + le32(1 << 18) + [UInt8](repeating: 7, count: 1 << 18) + [0x71, 0x00, 0x5D, 0x28]
        for _ in 0..<10_000 { body += [0x68, 0x00] }
        body += [0x65]
        let checkpoint = try TorchCheckpoint.parse(pickle(body), name: "shared")
        let items = try XCTUnwrap(checkpoint.root.elements)
        XCTAssertEqual(items.count, 10_000)
        let expected = PickleValue.bytes([UInt8](repeating: 7, count: 1 << 18))
        XCTAssertEqual(items.first, expected)
        XCTAssertEqual(items.last, expected)

        // _codecs.encode of one memoised str, again and again: refused once it makes more bytes than the pickle has.
        var encode = Array("c_codecs\nencode\n".utf8) + [0x71, 0x01, 0x58] + le32(100) + [UInt8](repeating: 0x61, count: 100)
            + [0x71, 0x02, 0x8C, 0x06] + Array("latin1".utf8) + [0x71, 0x03, 0x30, 0x30, 0x30]
        for _ in 0..<10 { encode += [0x68, 0x01, 0x68, 0x02, 0x68, 0x03, 0x86, 0x52, 0x30] }
        assertRefused(pickle(encode + [0x4E]), "more bytes than the pickle holds", "encode again and again")
        // Encoded once, it is plain bytes.
        let once = Array("c_codecs\nencode\n".utf8) + [0x8C, 0x03, 0x61, 0xC3, 0xBF, 0x8C, 0x06] + Array("latin1".utf8) + [0x86, 0x52]
        XCTAssertEqual(try TorchCheckpoint.parse(pickle(once)).root, .bytes([0x61, 0xFF]))
    }

    func testZipArchivesAreCheckedEntryByEntry() throws {
        let weight = { (count: Int, shape: [Int], strides: [Int], offset: Int, type: String) in
            PickleBytes.stateDict([("w", { $0.tensor(storageType: type, key: "0", count: count, offset: offset, shape: shape, strides: strides) })])
        }
        let good = weight(4, [2, 2], [2, 1], 0, "FloatStorage")
        // The well-formed archive reads, so each case below fails for its own reason.
        let accepted = try TorchCheckpoint.parse(torchArchive(pickle: good, storages: [("0", float32Bytes(4))]))
        XCTAssertEqual(try accepted.stateDict().floats("w"), [0, 1, 2, 3])

        let cases: [([UInt8], String, String)] = [
            (torchArchive(pickle: good, storages: []), "storage entry archive/data/0 is missing", "missing storage"),
            (torchArchive(pickle: good, storages: [("0", float32Bytes(3))]), "holds 12 bytes; 4 float32 elements need 16", "short storage"),
            (torchArchive(pickle: weight(4, [2, 2], [3, 1], 0, "FloatStorage"), storages: [("0", float32Bytes(4))]),
             "reaches element 4 of storage 0 (4 float32 elements): the storage is too short", "strides past the end"),
            (torchArchive(pickle: weight(4, [1], [1], 4, "FloatStorage"), storages: [("0", float32Bytes(4))]),
             "the storage is too short", "offset past the end"),
            (torchArchive(pickle: weight(4, [8], [1], 0, "FloatStorage"), storages: [("0", float32Bytes(4))]),
             "an expanded (stride 0) tensor", "more elements than the storage"),
            (torchArchive(pickle: weight(1, [3], [0], 0, "FloatStorage"), storages: [("0", float32Bytes(1))]),
             "an expanded (stride 0) tensor", "stride 0"),
            (torchArchive(pickle: weight(4, [2], [-1], 0, "FloatStorage"), storages: [("0", float32Bytes(4))]),
             "a negative size, stride or offset", "negative stride"),
            (torchArchive(pickle: weight(4, [65536, 65536, 65536, 65536], [1, 1, 1, 1], 0, "FloatStorage"), storages: [("0", float32Bytes(4))]),
             "too many elements to count", "2^64 elements"),
            (torchArchive(pickle: weight(4, [4], [1], 0, "ComplexFloatStorage"), storages: [("0", float32Bytes(4))]),
             "torch.ComplexFloatStorage, which this reader does not allow", "complex storage"),
            (torchArchive(pickle: good, storages: [("0", float32Bytes(4))], byteorder: "big"), "saved on a big-endian machine", "byteorder big"),
            (torchArchive(pickle: good, storages: [("0", float32Bytes(4))], byteorder: "middle"), "not \"little\"", "byteorder middle"),
            (torchArchive(pickle: good + [0x4E], storages: [("0", float32Bytes(4))]), "1 bytes follow the end (STOP) of archive/data.pkl", "trailing"),
            (zipArchive([("archive/weights.bin", [1, 2])]), "without ARCHIVE/data.pkl", "no data.pkl"),
            (zipArchive([("a/data.pkl", good), ("b/data.pkl", good)]), "2 data.pkl files", "two data.pkl"),
            (zipArchive([("archive/data.pkl", good), ("archive/data.pkl", good)]), "holds archive/data.pkl twice", "a name twice"),
            (zipArchive([("archive/data.pkl", good)], method: 12), "compression method 12", "bzip2"),
            (zipArchive([("archive/data.pkl", good)], flags: 1), "is encrypted", "encrypted"),
            (zipArchive([("archive/data.pkl", [0x63, 0x00])], method: 8, announcedSize: 1 << 30),
             "more than deflate can hold", "deflate bomb header"),
            (zipArchive([("archive/data.pkl", [0xFF, 0xFF, 0xFF])], method: 8, announcedSize: 4), "compressed data is damaged", "bad deflate"),
            (zipArchive([("archive/data.pkl", [0x03, 0x00])], method: 8, announcedSize: 4), "holds 0 bytes, not the 4 announced", "short deflate"),
            (Array("PK\u{3}\u{4}".utf8), "too short", "a zip header alone"),
            (Array("PK\u{3}\u{4}".utf8) + [UInt8](repeating: 0, count: 100), "no end of central directory", "no directory"),
        ]
        for (bytes, words, label) in cases { assertRefused(bytes, words, label) }

        // A damaged storage byte fails its CRC-32; a directory offset outside the file is refused.
        var damaged = torchArchive(pickle: good, storages: [("0", float32Bytes(4))])
        let data = try XCTUnwrap(firstRange(of: float32Bytes(4), in: damaged))
        damaged[data + 5] ^= 0x10
        assertRefused(damaged, "archive/data/0 does not match its CRC-32", "flipped storage byte")
        var outside = torchArchive(pickle: good, storages: [("0", float32Bytes(4))])
        outside[outside.count - 6] = 0xFF  // the directory's offset, high byte
        assertRefused(outside, "is not inside the file", "directory outside the file")
    }

    func firstRange(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        return (0...(haystack.count - needle.count)).first { Array(haystack[$0..<($0 + needle.count)]) == needle }
    }

    func testDamagedFixturesAreRefusedByName() throws {
        let cases: [(String, String)] = [
            ("mmdet_truncated.pth", "no end of central directory"),
            ("legacy_truncated.pth", "the file ends inside storage"),
            ("bigendian.pth", "saved on a big-endian machine"),
            ("bigendian.pkl", "a big-endian numpy array (dtype >f4)"),
            ("object_array.pkl", "numpy dtype 'O8' is not a number type"),
            ("expanded.pth", "an expanded (stride 0) tensor"),
        ]
        for (name, words) in cases {
            let error = torchRefusal(name) { try TorchCheckpoint.read(path: torchFixture(name)) }
            XCTAssertTrue(error?.message.contains(words) ?? false, "\(name): \(String(describing: error))")
            XCTAssertEqual(error?.file, torchFixture(name))
            XCTAssertEqual(error?.exitCode, .dataError, name)
            XCTAssertNotNil(error?.hint, name)
        }
        // The legacy magic number and protocol version are checked.
        let legacy = try [UInt8](Data(contentsOf: URL(fileURLWithPath: torchFixture("mmdet_legacy.pth"))))
        XCTAssertEqual(Array(legacy[15..<21]), [0x80, 0x02, 0x4D, 0xE9, 0x03, 0x2E], "the fixture's protocol-version pickle")
        var wrongMagic = legacy
        wrongMagic[5] ^= 1
        assertRefused(wrongMagic, "bytes follow the end (STOP) of the pickle", "wrong magic number")
        var wrongVersion = legacy
        wrongVersion[18] = 0xEA
        assertRefused(wrongVersion, "protocol version is not 1001", "protocol 1002")
        XCTAssertNotNil(refusal(Array(legacy.dropLast(1)), "legacy minus one byte"))
        assertRefused(legacy + [0], "1 bytes follow the last storage", "legacy plus one byte")

        assertRefused([], "an empty file", "empty")
        assertRefused(Array("hello, world".utf8), "not a PyTorch checkpoint", "text")
    }

    func testNotAFileIsAnIOError() throws {
        let folder = torchRefusal("a directory") { try TorchCheckpoint.read(path: NSTemporaryDirectory()) }
        XCTAssertEqual(folder?.exitCode, .ioError)
        XCTAssertTrue(folder?.message.contains("is a directory, not a checkpoint file") ?? false, "\(String(describing: folder))")
        let missing = torchRefusal("a missing file") { try TorchCheckpoint.read(path: "/nonexistent/model.pth") }
        XCTAssertEqual(missing?.exitCode, .ioError)
        XCTAssertEqual(missing?.file, "/nonexistent/model.pth")
    }

    func testEveryTruncationAndRandomFlipsNeverTrap() throws {
        var random = SeededRandom(seed: 22)
        for name in ["state_dict.pth", "mmdet.pth", "mmdet_legacy.pth", "d2_protocol2.pkl", "d2_protocol4.pkl", "d2_protocol5.pkl",
                     "d2_py2.pkl", "state_dict_deflate.pth", "state_dict_zip64.pth"] {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: torchFixture(name))))
            // Every prefix of the pickles; every 3rd of the archives (whose directory is at the end).
            for length in stride(from: 0, to: bytes.count, by: name.hasSuffix(".pkl") || name.contains("legacy") ? 1 : 3) {
                do {
                    _ = try TorchCheckpoint.parse(Array(bytes[..<length]), name: "cut")
                    XCTFail("\(name) cut to \(length) bytes was accepted")
                } catch let error as ToolError {
                    XCTAssertEqual(error.file, "cut", "\(name) cut to \(length)")
                }
            }
            for _ in 0..<200 {
                var flipped = bytes
                for _ in 0..<(1 + random.nextInt(below: 3)) { flipped[random.nextInt(below: bytes.count)] ^= UInt8(1 << random.nextInt(below: 8)) }
                do {
                    let checkpoint = try TorchCheckpoint.parse(flipped, name: "flipped", unknownClasses: .record)
                    if let stateDict = try? checkpoint.stateDict() {
                        for (_, tensor) in stateDict.entries {
                            let count = tensor.dtype.isFloatingPoint ? try tensor.floats().count : try tensor.int64Values().count
                            XCTAssertEqual(count, tensor.elementCount)
                        }
                    }
                } catch let error as ToolError {
                    XCTAssertEqual(error.file, "flipped", name)
                }
            }
        }
    }
}
