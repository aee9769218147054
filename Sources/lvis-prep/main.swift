// lvis-prep: Turns LVIS/COCO data into checked binary shards; makes the synthetic long-tailed dataset.
import ArgumentParser
import SharedSupport

struct LvisPrep: ParsableCommand {
    static let toolName = "lvis-prep"
    static let configuration = CommandConfiguration(
        commandName: toolName,
        abstract: "Turns LVIS/COCO data into checked binary shards; makes the synthetic long-tailed dataset.",
        discussion: """
        Example:
          lvis-prep synth --out data/synth --seed 1
        Exit codes: 0 success, 1 bad data, 64 bad command line.
        """,
        version: ToolVersion.number,
        subcommands: [])
}

ToolMain.run(LvisPrep.self, tool: LvisPrep.toolName)
