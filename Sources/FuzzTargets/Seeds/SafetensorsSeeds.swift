// Seeds of the safetensors target: a training checkpoint of the target's small model as
// `TrainingCheckpoint` writes it (with data_crc32), and files as Python's safetensors writes
// them (no checksum, so mutated data still parses) with every dtype the reader knows.
import SharedNN
import SharedSupport

enum SafetensorsSeeds {
    static var files: [Seed] {
        let store = SafetensorsCheckpointModel.makeStore()
        for parameter in store.parameters {
            for index in 0..<parameter.count { store.value(parameter)[flat: index] = Float(index) * 0.5 - 1 }
        }
        let state = TrainingState(step: 12, random: SeededRandom(seed: 5), configJSON: #"{"preset": "smoke"}"#)
        let checkpoint = TrainingCheckpoint.file(store: store, state: state).serialized()
        return [
            Seed("checkpoint.safetensors", checkpoint),
            Seed("python-dtypes.safetensors", python([
                ("a", "F16", [2], [0x00, 0x3C, 0x00, 0xC0]),
                ("b", "BF16", [1, 2], [0x80, 0x3F, 0x00, 0x00]),
                ("c", "I32", [1], [0xFF, 0xFF, 0xFF, 0xFF]),
                ("d", "U8", [3], [1, 2, 3]),
                ("e", "BOOL", [1], [1]),
                ("f", "F64", [], [0, 0, 0, 0, 0, 0, 0xF0, 0x3F]),
                ("g", "I64", [0, 4], []),
            ], metadata: #"{"format": "pt"}"#)),
            Seed("python-checkpoint.safetensors", python([
                ("head.bias", "F32", [3], [UInt8](repeating: 0, count: 12)),
                ("head.weight", "F64", [2, 3], [UInt8](repeating: 0, count: 48)),
                ("state.rng", "U64", [4], [1] + [UInt8](repeating: 0, count: 31)),
                ("state.step", "I32", [1], [7, 0, 0, 0]),
            ], metadata: #"{"format": "loce-checkpoint", "format_version": "1"}"#)),
            Seed("header-only.safetensors", python([], metadata: nil)),
            // Header padded with 64 spaces (valid JSON whitespace): bytes the mutator inserts
            // into the header push padding out of the announced length instead of cutting the JSON.
            Seed("padded-header.safetensors", python([
                ("head.weight", "F32", [2, 3], [UInt8](repeating: 0, count: 24)),
                ("state.step", "I64", [1], [1, 0, 0, 0, 0, 0, 0, 0]),
            ], metadata: #"{"format": "loce-checkpoint", "format_version": "1"}"#, padding: 64)),
        ]
    }

    /// A file as Python's safetensors writes it: header length, JSON header (padded), data.
    static func python(_ tensors: [(name: String, dtype: String, shape: [Int], bytes: [UInt8])], metadata: String?,
                       padding: Int = 0) -> [UInt8] {
        var entries: [String] = metadata.map { [#""__metadata__": \#($0)"#] } ?? []
        var offset = 0
        var data: [UInt8] = []
        for tensor in tensors {
            let shape = tensor.shape.map(String.init).joined(separator: ", ")
            entries.append(#""\#(tensor.name)": {"dtype": "\#(tensor.dtype)", "shape": [\#(shape)], "data_offsets": [\#(offset), \#(offset + tensor.bytes.count)]}"#)
            offset += tensor.bytes.count
            data += tensor.bytes
        }
        var header = Array(("{" + entries.joined(separator: ", ") + "}").utf8) + [UInt8](repeating: 0x20, count: padding)
        while header.count % 8 != 0 { header.append(0x20) }
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes += $0 }
        return bytes + header + data
    }
}
