// lvis-prep: turns LVIS/COCO data into checked binary shards; makes the synthetic long-tailed dataset.
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
          lvis-prep convert --annotations data/synth/lvis_v1_train.json --images data/synth --out shards/train --max-size 256,384
          lvis-prep inspect shards/train
        Exit codes: 0 success, 1 bad data (or --strict and bad input), 2 finished but bad input was skipped,
        64 bad command line, 74 cannot read or write a file,
        130 / 143 stopped by Ctrl-C / SIGTERM (convert keeps its finished shards for the re-run, synth writes nothing).
        Environment: LOCE_ISA=baseline|avx2|avx512 runs the vector kernels on a lower code path than the
        best this CPU runs (the same results, slower; for checks and timing); a path the CPU does not run,
        or an unknown one, exits 64. --version names the active path and how it was chosen.
        """,
        version: ToolVersion.number,
        subcommands: [ConvertCommand.self, SynthCommand.self, VerifyCommand.self, InspectCommand.self,
                      StatsCommand.self, MergeCommand.self])
}

ToolMain.run(LvisPrep.self, tool: LvisPrep.toolName)
