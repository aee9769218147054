// `lvis-prep inspect` and `lvis-prep stats`: counts per split and frequency group; the
// long-tail histogram as a PNG.
import ArgumentParser
import Foundation
import SharedData
import SharedSupport

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print counts per split and frequency group of shard folders (from their manifests).",
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
        let inspections = try directories.map { ShardInspection(directory: $0, manifest: try ShardManifest.read(directory: $0)) }
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
        let inspection = ShardInspection(directory: directory, manifest: try ShardManifest.read(directory: directory))
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
        abstract: "Check every record checksum, record count and file checksum of a shard folder.",
        discussion: """
        Example:
          lvis-prep verify shards/train
        Exit status 1 and one line per damaged shard when something does not verify.
        """)

    @Argument(help: "A shard folder.")
    var directory: String

    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        try checkPaths()
        let context = try runtime.makeContext(tool: LvisPrep.toolName, usesBLAS: false)
        let manifest = try ShardManifest.read(directory: directory)
        let failures = ResultList()
        context.parallelism.forEachDynamic(manifest.shards.count) { index in
            let shard = manifest.shards[index]
            let path = directory + "/" + shard.file
            do {
                let reader = try ShardReader(path: path)
                let records = try reader.verify()
                guard records == shard.records else {
                    throw ToolError("\(records) records, the manifest says \(shard.records)", file: path, hint: ShardFormat.regenerateHint)
                }
                guard reader.fileChecksum() == shard.crc32 else {
                    throw ToolError("file checksum differs from the manifest", file: path, hint: ShardFormat.regenerateHint)
                }
            } catch {
                failures.append(index, "\(error)")
            }
        }
        let bad = failures.sorted
        for message in bad { context.logger.error(message) }
        let output = StandardOutput()
        var json = JSONWriter()
        json.beginObject()
        json.key("directory"); json.value(directory)
        json.key("shards"); json.value(manifest.shards.count)
        json.key("bad"); json.value(bad.count)
        json.key("records"); json.value(manifest.counts.images)
        json.endObject()
        output.write(json.text + "\n")
        output.flush()
        if !bad.isEmpty {
            throw ToolError("\(bad.count) of \(manifest.shards.count) shards do not verify", file: directory, hint: ShardFormat.regenerateHint)
        }
        context.logger.info("\(manifest.shards.count) shards, \(manifest.counts.images) records: all checksums match")
    }
}

/// Messages collected from parallel workers, reported in index order.
final class ResultList: @unchecked Sendable {
    private var items: [(Int, String)] = []
    private let lock = NSLock()
    func append(_ index: Int, _ message: String) { lock.withLock { items.append((index, message)) } }
    var sorted: [String] { lock.withLock { items.sorted { $0.0 < $1.0 }.map(\.1) } }
}
