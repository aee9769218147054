// The shard-writing stage of convert: images in id order are cut into units of
// `recordsPerShard`, unit u becomes shard-u.bin (+ shard-u.json summary), a job-array piece
// p of N does the units with u % N == p, and units whose shard verifies are skipped, so an
// interrupted or split run gives the same files as one uninterrupted run. A piece that finds
// none of its images (a wrong --images) fails and removes its shards instead of publishing them.
import SharedSupport

/// What one finished shard holds; written next to it as shard-NNNNN.json.
public struct ShardUnitSummary: Codable, Equatable, Sendable {
    public var shard: ShardFileSummary
    public var counts: ShardCounts
    public var problems: ProblemLog
}

/// prep-plan.json: what every piece of a job array agrees on (written identically by each).
public struct PrepPlanFile: Codable, Equatable, Sendable {
    public var settings: ConvertSettings
    public var sourceFormat: String
    public var imageCount: Int
    public var unitCount: Int
    public var categories: [ShardCategory]
    public var annotationProblems: ProblemLog

    public static let fileName = "prep-plan.json"
}

public struct ConvertReport: Sendable {
    public var counts = ShardCounts()
    public var problems = ProblemLog()
    public var shardsWritten = 0
    public var shardsReused = 0
    public var manifest: ShardManifest?
}

public struct ConvertJob {
    public let plan: PrepPlan
    public let settings: ConvertSettings
    public let options: ConvertOptions
    public let outputDirectory: String
    public let pieceIndex: Int
    public let strict: Bool
    /// Images absent from disk are expected (annotations only being validated): a piece
    /// whose images are all missing then still gets its (empty) shards and manifest.
    public let missingImagesExpected: Bool
    public let logger: Logger
    public let parallelism: Parallelism
    /// Polled after every chunk of images: a signal number ends the run with exit 128 +
    /// signal, the shard being written discarded (complete ones are reused by a re-run).
    public let stopRequested: @Sendable () -> Int32?

    public init(plan: PrepPlan, settings: ConvertSettings, options: ConvertOptions, outputDirectory: String,
                pieceIndex: Int, strict: Bool, missingImagesExpected: Bool = false, logger: Logger, parallelism: Parallelism,
                stopRequested: @escaping @Sendable () -> Int32? = { nil }) {
        precondition(settings.numPieces >= 1 && (0..<settings.numPieces).contains(pieceIndex), "bad job-array piece")
        precondition(settings.recordsPerShard >= 1, "records per shard must be positive")
        self.plan = plan
        self.settings = settings
        self.options = options
        self.outputDirectory = outputDirectory
        self.pieceIndex = pieceIndex
        self.strict = strict
        self.missingImagesExpected = missingImagesExpected
        self.logger = logger
        self.parallelism = parallelism
        self.stopRequested = stopRequested
    }

    public var unitCount: Int { (plan.images.count + settings.recordsPerShard - 1) / settings.recordsPerShard }

    public var planFile: PrepPlanFile {
        PrepPlanFile(settings: settings, sourceFormat: plan.format.rawValue, imageCount: plan.images.count, unitCount: unitCount,
                     categories: plan.categories, annotationProblems: plan.problems)
    }

    public func run() throws -> ConvertReport {
        guard !plan.categories.isEmpty else {
            // No class to train: fit would fail on a zero-sized parameter much later.
            throw ToolError("the annotation file has no categories (\"categories\": [])", file: settings.annotations,
                            record: "categories",
                            hint: "a COCO or LVIS annotation file lists its categories; use the full json of the split")
        }
        try makeDirectory(outputDirectory)
        try writePlanFile()
        if strict, let first = plan.problems.lines.first {
            throw ToolError("bad annotations or images (--strict): \(first)", file: settings.annotations,
                            hint: "fix the file, or run without --strict to skip them (they are counted and reported)")
        }
        var report = ConvertReport()
        report.problems.merge(plan.problems)
        let myUnits = (0..<unitCount).filter { $0 % settings.numPieces == pieceIndex }
        let total = myUnits.reduce(0) { $0 + range(of: $1).count }
        let progress = ProgressBar(label: "convert", total: total, unit: "img", logger: logger)
        for unit in myUnits {
            if let summary = reusableSummary(unit) {
                report.shardsReused += 1
                report.counts.add(summary.counts)
                report.problems.merge(summary.problems)
                progress.advance(by: range(of: unit).count)
                continue
            }
            let summary = try convertUnit(unit, progress: progress)
            report.shardsWritten += 1
            report.counts.add(summary.counts)
            report.problems.merge(summary.problems)
        }
        progress.finish()
        let missing = report.problems.count(.missingImage)
        if !missingImagesExpected && total > 0 && report.counts.images == 0 && missing == total {
            // Almost surely a wrong --images: publish nothing that looks like a dataset.
            removeOutputs(of: myUnits)
            let example = report.problems.examples[ProblemKind.missingImage.rawValue]?.first.map { " (\($0))" } ?? ""
            throw ToolError("none of the \(total) images was found under \(settings.images)\(example)", file: settings.images,
                            hint: "check --images (LVIS v1 expects ROOT/train2017 and ROOT/val2017); pass --skip-missing-images to only validate the annotations")
        }
        if settings.numPieces == 1 {
            report.manifest = try ShardMerge.merge(directory: outputDirectory, verify: false)
        }
        return report
    }

    func range(of unit: Int) -> Range<Int> {
        let start = unit * settings.recordsPerShard
        return start..<min(plan.images.count, start + settings.recordsPerShard)
    }

    /// Deletes the shards and summaries of `units` and any manifest (which would list them),
    /// so a failed run leaves nothing that reads as a complete (empty) dataset.
    private func removeOutputs(of units: [Int]) {
        var paths = units.flatMap { [ShardFormat.fileName(index: $0), ShardFormat.summaryName(index: $0)] }
        paths.append(ShardManifest.fileName)
        for name in paths { _ = unlink(outputDirectory + "/" + name) }
    }

    private func writePlanFile() throws {
        let path = outputDirectory + "/" + PrepPlanFile.fileName
        let bytes = try encodeJSON(planFile)
        if let existing = readWholeFile(path), existing != bytes {
            let old = try? decodeJSON(PrepPlanFile.self, path: path, hint: "")
            // A plan of an older lvis-prep lacks maxPixels and allowOutsideImages: the same
            // run if all else agrees (its units are checked against this run's limits).
            if !(old.map { settings.continues($0.settings) } ?? false) || old?.imageCount != planFile.imageCount {
                throw ToolError("this folder holds shards made with other settings or another annotation file", file: path,
                                hint: "use a new --out folder, or delete the old shards first")
            }
        }
        try writeFileAtomically(path, bytes: bytes)
    }

    /// The summary of a unit done by an earlier run, if it passes merge's unit check (its own
    /// shard file, read in full, matching the summary's counts and file CRC, every image within
    /// this run's --max-pixels and --max-size) and its records are images of this unit. Anything else (missing, damaged, another format version,
    /// crafted) is redone, never trusted and never trapped on.
    private func reusableSummary(_ unit: Int) -> ShardUnitSummary? {
        let summaryPath = outputDirectory + "/" + ShardFormat.summaryName(index: unit)
        let unitImages = plan.images[range(of: unit)]
        guard let summary = try? decodeJSON(ShardUnitSummary.self, path: summaryPath, hint: ""),
              let contents = try? ShardMerge.checkUnit(summary, unit: unit, unitImages: unitImages.count, directory: outputDirectory,
                                                       categoryCount: plan.categories.count, imageLimit: settings.storedImageLimit,
                                                       fileChecksum: true) else { return nil }
        let planned = Set(unitImages.map(\.info.id))
        guard contents.imageIDs.allSatisfy(planned.contains) else { return nil }
        logger.debug("\(ShardFormat.fileName(index: unit)) verifies; kept from an earlier run")
        return summary
    }

    /// Images converted in parallel before their records are appended (bounds memory: a
    /// unit of large raw images would not fit otherwise).
    static let chunkSize = 64

    private func convertUnit(_ unit: Int, progress: ProgressBar) throws -> ShardUnitSummary {
        let images = Array(plan.images[range(of: unit)])
        let shardPath = outputDirectory + "/" + ShardFormat.fileName(index: unit)
        let writer = try ShardWriter(path: shardPath)
        var counts = ShardCounts()
        var problems = ProblemLog()
        let root = settings.images, options = self.options
        for chunkStart in stride(from: 0, to: images.count, by: Self.chunkSize) {
            let chunk = Array(images[chunkStart..<min(images.count, chunkStart + Self.chunkSize)])
            let results = ResultSlots<Result<ShardRecord, ImageProblem>>(count: chunk.count)
            parallelism.forEachDynamic(chunk.count) { index in
                results.set(index, ImageConversion.convert(chunk[index], imageRoot: root, options: options))
                progress.advance()
            }
            for index in 0..<chunk.count {
                switch results.get(index) {
                case .success(let record):
                    try writer.append(record)
                    counts.add(record)
                case .failure(let problem):
                    if strict {
                        throw ToolError("\(problem.kind.rawValue): \(problem.message)", file: settings.images,
                                        record: "image id \(chunk[index].info.id)",
                                        hint: "fix or remove the image, or run without --strict to skip bad images (they are counted and reported)")
                    }
                    problems.record(problem.kind, problem.message)
                case nil:
                    preconditionFailure("image \(chunkStart + index) of unit \(unit) was not converted")
                }
            }
            if let signal = stopRequested() {
                progress.finish()
                throw ToolError("stopped by \(StopSignals.name(signal)) while writing \(ShardFormat.fileName(index: unit)) "
                                + "(not kept); the shards finished before it are kept", file: outputDirectory,
                                hint: "run the same command again: it keeps the finished shards and converts the rest",
                                exitCode: ToolExitCode(stoppedBy: signal))
            }
        }
        let file = try writer.finish()
        let summary = ShardUnitSummary(shard: file, counts: counts, problems: problems)
        try writeFileAtomically(outputDirectory + "/" + ShardFormat.summaryName(index: unit), bytes: try encodeJSON(summary))
        return summary
    }
}

/// Fixed slots filled from several threads (each index by exactly one thread).
final class ResultSlots<Value>: @unchecked Sendable {
    private var values: [Value?]
    private let lock = PThreadLock()
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: Value) { lock.locked { values[index] = value } }
    func get(_ index: Int) -> Value? { lock.locked { values[index] } }
}

#if canImport(Glibc)
import Glibc
#endif

/// A pthread mutex (Foundation-free).
final class PThreadLock: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func locked<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }
}

/// mkdir -p.
public func makeDirectory(_ path: String) throws {
    var current = path.hasPrefix("/") ? "" : "."
    for part in path.split(separator: "/") {
        current += "/" + part
        if mkdir(current, 0o755) != 0 && errno != EEXIST {
            throw ToolError.io("cannot create folder: \(String(cString: strerror(errno)))", file: current)
        }
    }
}
