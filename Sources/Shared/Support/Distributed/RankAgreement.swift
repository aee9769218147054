// Ranks that were given different inputs must not train together: each rank states what it
// was given (named values: config, data fingerprint, starting weights, tool version), the
// statements are gathered, and every rank refuses to start, naming the first difference,
// unless all agree with rank 0. With one process there is nothing to compare.

public enum RankAgreement {
    /// Throws (exit 64) on every rank when some rank's `items` differ from rank 0's.
    public static func require(_ items: [(name: String, value: String)], in group: ProcessGroup) throws {
        guard group.isDistributed else { return }
        let statement = items.map { "\($0.name)\u{0}\(fingerprint($0.value))" }.joined(separator: "\n")
        let statements = group.allgatherVariable(Array(statement.utf8)).map { String(decoding: $0, as: UTF8.self) }
        let reference = statements[0].split(separator: "\n", omittingEmptySubsequences: false)
        for (rank, other) in statements.enumerated().dropFirst() where other != statements[0] {
            let lines = other.split(separator: "\n", omittingEmptySubsequences: false)
            let differing = zip(reference, lines).first { $0 != $1 }.map { String($0.0.split(separator: "\u{0}")[0]) } ?? "inputs"
            throw ToolError("rank \(rank) was given a different \(differing) than rank 0; the ranks of one run must share it",
                            hint: "launch every rank with the same command, config, data and checkpoint (and the same tool build)",
                            exitCode: .usage)
        }
    }

    /// CRC-32 of the text, hex (the statement carries a fingerprint, not the value).
    static func fingerprint(_ text: String) -> String { String(crc32Checksum(Array(text.utf8)), radix: 16) }
}
