// loce-fuzz without the fuzzer runtime (what `swift build` makes): lists the targets, replays
// inputs through them (to reproduce a crash without sanitizers, or check a fix), and writes
// the seed corpus. `make fuzz` builds the same target as the libFuzzer harness instead.
#if !LOCE_LIBFUZZER
import ArgumentParser
import Foundation
import FuzzTargets
import SharedSupport

@main
struct FuzzTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loce-fuzz", abstract: "Fuzz targets of the LOCE readers: list, replay inputs, write the seed corpus.",
        subcommands: [List.self, Replay.self, Seeds.self])

    static func main() { ToolMain.run(FuzzTool.self, tool: "loce-fuzz") }
}

extension FuzzTool {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print each target: name, -max_len, what it reads (tab-separated).")

        func run() {
            for target in FuzzTarget.makeAll() { print("\(target.name)\t\(target.maxLength)\t\(target.summary)") }
        }
    }

    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run files through a target; print each outcome. Exit 1 if any is a finding (a trap ends the run).")

        @Argument(help: "The target (see `loce-fuzz list`).") var target: String
        @Argument(help: "Input files.") var files: [String]

        func run() throws {
            guard let fuzzTarget = FuzzTarget.make(named: target) else {
                throw ToolError.usage("unknown target \(target)", hint: "one of: \(FuzzTarget.allNames.joined(separator: ", "))")
            }
            var findings = 0
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw ToolError.io("cannot read the input", file: file, hint: "check the path")
                }
                let outcome = fuzzTarget.run([UInt8](data))
                switch outcome {
                case .accepted: print("\(file): accepted")
                case let .refused(message): print("\(file): refused: \(message.prefix(300))")
                case let .finding(message):
                    print("\(file): FINDING: \(message)")
                    findings += 1
                }
            }
            if findings > 0 { throw ToolError("\(findings) of \(files.count) inputs are findings") }
        }
    }

    struct Seeds: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the generated seed corpus into FOLDER/TARGET/ (run from the repository root: configs are copied from pipelines/configs).")

        @Argument(help: "The corpus folder (fuzz/corpus).") var folder: String

        func run() throws {
            for (target, seeds) in try SeedCorpus.generated(configFolder: "pipelines/configs") {
                let directory = folder + "/" + target
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                for seed in seeds { try writeFileAtomically(directory + "/" + seed.name, bytes: seed.bytes) }
                print("\(directory): \(seeds.count) seeds")
            }
        }
    }
}
#endif
