// Every fuzz target, in the order `make fuzz` runs them. A target is made fresh for its
// user (it may own a scratch file), so nothing is shared between processes or tests.

extension FuzzTarget {
    /// Makes every target.
    public static func makeAll() -> [FuzzTarget] {
        [
            jsonDocument(), groundTruth(), detectionResults(),
            compressedRLE(), uncompressedRLE(), polygonRLE(),
            shardFile(), shardRecord(), safetensors(), torchCheckpoint(), image(), config(),
        ]
    }

    /// Makes the target called `name`, or nil.
    public static func make(named name: String) -> FuzzTarget? {
        makeAll().first { $0.name == name }
    }

    /// The names of every target.
    public static var allNames: [String] { makeAll().map(\.name) }
}
