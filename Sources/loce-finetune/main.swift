// loce-finetune: Stage 2 of LOCE: fine-tunes a stage-1 checkpoint with Equilibrium Loss and Memory-augmented Feature Sampling.
import ArgumentParser
import SharedSupport

struct LoceFinetune: ParsableCommand {
    static let toolName = "loce-finetune"
    static let configuration = CommandConfiguration(
        commandName: toolName,
        abstract: "Stage 2 of LOCE: fine-tunes a stage-1 checkpoint with Equilibrium Loss and Memory-augmented Feature Sampling.",
        discussion: """
        Example:
          loce-finetune fit --config pipelines/configs/tiny-loce.json \\
            --from work/baseline/checkpoint.safetensors --train work/shards/train --out work/loce
        Exit codes: 0 success, 1 bad data (or a loss that became NaN),
        64 bad command line, 69 OpenBLAS missing, 74 cannot read or write a file,
        130 / 143 stopped by Ctrl-C / SIGTERM (after the warm-up pass, the iteration it is on is saved first).
        Environment: LOCE_ISA=baseline|avx2|avx512 runs the vector kernels on a lower code path than the
        best this CPU runs (the same results, slower; for checks and timing); a path the CPU does not run,
        or an unknown one, exits 64. --version names the active path and how it was chosen.
        """,
        version: ToolVersion.number,
        subcommands: [FitCommand.self])
}

ToolMain.run(LoceFinetune.self, tool: LoceFinetune.toolName)
