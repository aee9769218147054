// `lvis-prep inspect` and `lvis-prep stats`: counts per split and frequency group; the
// long-tail histogram as a PNG.
import ArgumentParser
import Foundation
import SharedData
import SharedSupport

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print counts per split and frequency group of shard folders (from their manifests; each shard's structure is checked, its records are not: see verify).",
        discussion: """
        Example:
          lvis-prep inspect shards/train shards/val --json
        """)

    @Argument(help: "Shard folders (one per split).")
    var directories: [String]

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        if directories.isEmpty { throw ValidationError("give at least one shard folder") }
    }

    func run() throws {
        try checkPaths()
        _ = try runtime.makeContext(tool: LvisPrep.toolName, usesBLAS: false)
        let inspections = try directories.map { try ShardInspection.open(directory: $0) }
        let output = StandardOutput()
        if json {
            var writer = JSONWriter()
            writer.beginObject()
            writer.key("splits"); writer.beginArray()
            for inspection in inspections { inspection.writeJSON(&writer) }
            writer.endArray()
            writer.endObject()
            output.write(writer.text + "\n")
        } else {
            for inspection in inspections { output.write(inspection.text + "\n") }
        }
        output.flush()
    }
}

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Print the counts of a shard folder and draw its long-tail histogram (instances per category, coloured by group).",
        discussion: """
        Example:
          lvis-prep stats shards/train --plot long-tail.png
        """)

    @Argument(help: "A shard folder.")
    var directory: String

    @Option(help: "Write the histogram to this PNG file.")
    var plot: String?

    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        try checkPaths()
        let context = try runtime.makeContext(tool: LvisPrep.toolName, usesBLAS: false)
        let inspection = try ShardInspection.open(directory: directory)
        let output = StandardOutput()
        output.write(inspection.text + "\n")
        output.flush()
        if let plot {
            try inspection.longTailPlot().writePNG(to: plot)
            context.logger.info("wrote \(plot)")
        }
    }
}

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a shard folder against itself: every record (checksum and fields), each shard's record count, size and checksum, and the manifest's counts, shard list and image order.",
        discussion: """
        Example:
          lvis-prep verify shards/train
        Exit status 1 and one line per problem when something does not verify.
        """)

    @Argument(help: "A shard folder.")
    var directory: String

    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        try checkPaths()
        let context = try runtime.makeContext(tool: LvisPrep.toolName, usesBLAS: false)
        let check = try ShardFolderCheck.run(directory: directory, parallelism: context.parallelism)
        for message in check.problems { context.logger.error(message) }
        let output = StandardOutput()
        var json = JSONWriter()
        json.beginObject()
        json.key("directory"); json.value(directory)
        json.key("shards"); json.value(check.shards)
        json.key("bad"); json.value(check.badShards)
        json.key("records"); json.value(check.records)
        json.key("problems"); json.value(check.problems.count)
        json.endObject()
        output.write(json.text + "\n")
        output.flush()
        if check.badShards > 0 {
            throw ToolError("\(check.badShards) of \(check.shards) shards do not verify", file: directory, hint: ShardFormat.regenerateHint)
        }
        if !check.problems.isEmpty {
            throw ToolError("the manifest does not match its shards", file: directory + "/" + ShardManifest.fileName,
                            hint: ShardManifest.regenerateHint)
        }
        context.logger.info("\(check.shards) shards, \(check.records) records: every checksum, record and count matches")
    }
}
