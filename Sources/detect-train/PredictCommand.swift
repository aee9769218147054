// `detect-train predict`: runs a checkpoint over a shard folder (`--data`) or image files
// (`--images`, PredictCommand+Images.swift) and streams COCO results JSON (LVIS category
// ids, XYWH boxes and compressed-RLE masks in original pixels) to stdout or a file.
import ArgumentParser
import Foundation
import SharedSupport
import SharedTensor
import SharedData
import SharedDetection
import SharedLongTail

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Detect objects with a trained checkpoint in shards or image files; write COCO results JSON.",
        discussion: """
        Input: --data SHARDS (a shard folder from `lvis-prep convert`) or --images:
          a folder: its .jpg/.jpeg/.png files (any case), sorted by name; hidden
            files and subfolders are left out (a tree: find DIR -name '*.jpg')
          a text file of image paths, one per line (blank lines skipped,
            relative paths from the current folder); `-`: that list on stdin
          one JPEG or PNG file
        Each image is decoded at full size and resized to the checkpoint's test
        scale exactly as predict --data resizes a shard's image: the detections
        equal those of `lvis-prep convert` + predict --data on the same pixels,
        i.e. for a JPEG converted without --max-size (convert keeps its bytes)
        and a PNG (or any image) converted with --encoding raw, no --max-size.
        (--max-size shrinks the stored image first; a PNG stored as JPEG loses
        pixels to the encoding.) EXIF rotation is not applied, as in convert.
        Ids: with --image-ids FILE.json (a COCO or LVIS json) each file gets the
        id of the json image of its file name (file_name's base name, LVIS v1's
        coco_url's; LVIS v0.5's COCO_val2014_NNN.jpg also matches NNN.jpg); a
        file the json does not list is an error before any work, one of another
        size than the json says is skipped (as convert skips it). Without it the
        ids are 1..N in input order (a skipped file's id stays unused) and
        --id-map FILE.json records them: a JSON array of
        {"id", "file_name", "path", "width", "height"}, one per image predicted,
        usable as the "images" of a COCO json. --id-map defaults to
        OUT.images.json beside --out OUT.json; with the results on stdout (and
        no --image-ids) it must be given (exit 64).
        Unreadable images (missing, not JPEG/PNG, truncated, corrupt, more than
        --max-pixels) are named on stderr with the reason and skipped; the others
        are predicted and written, batches filled from the next files (the
        results of a list without the bad ones), and the run exits 2.
        --draw DIR writes each image at full size as DIR/NAME.jpg (JPEG quality
        90; NAME: the file name without its extension) with the detections
        scoring at least --draw-threshold (default 0.5) drawn: translucent
        masks, boxes and "class score" labels. Class names come from the
        checkpoint (fit stores them), else from --image-ids' categories, else
        the category id. The pictures are moved into DIR together at the end.
        --images runs as one process: no --num-shards, --per-class-topk, MPI.
        Results are streamed image by image, so the output can be piped into
        detect-eval. Test settings come from the checkpoint's config (by default
        score > 1e-4, per-class NMS IoU 0.5, <= 300 detections per image, masks
        thresholded at 0.5); `--set` changes them for this run, e.g.
        --set test.scoreThreshold=0.05 --set test.maxDetectionsPerImage=100.
        A checkpoint trained on another category table than the data's
        manifest is refused. Results depend on --batch (padding is per batch).
        Job array: --num-shards N --shard-index I predicts the I-th of N contiguous
        ranges of the records, split on --batch boundaries (piece I holds batches
        [I*K/N, (I+1)*K/N) of the K batches); `detect-train merge-predictions`
        joins the pieces in index order into output byte-identical to one
        unsharded run with the same --batch.
        --per-class-topk K writes, per class, the K best detections over the whole
        dataset (the Fixed AP protocol's input, large-vocab-devil infer_topk.py):
        score > 1e-7 and up to 10000 detections per image (in effect no cap; the
        mask head's buffers bound it) unless --set says otherwise, a bounded heap
        per class (memory ~ classes x K), written at the end class by class, best
        first; then `detect-eval --fixed-ap`.
        Example:
          detect-train predict --checkpoint work/baseline/checkpoint.safetensors \\
            --data work/shards/val | detect-eval --gt work/synth/lvis_v1_val.json -
          detect-train predict --checkpoint M.safetensors --images photos/ \\
            --out dets.json --draw drawn/      # ids in dets.images.json
          find imgs -name '*.jpg' | detect-train predict --checkpoint M.safetensors \\
            --images - --image-ids val.json | detect-eval --gt val.json -
          detect-train predict ... --num-shards 4 --shard-index $SLURM_ARRAY_TASK_ID \\
            --out dets/part-$SLURM_ARRAY_TASK_ID.json
          detect-train merge-predictions --out dets.json dets/part-{0,1,2,3}.json
          detect-train predict --checkpoint W/loce/checkpoint.safetensors --data S/val \\
            --per-class-topk 10000 --out topk.json
          detect-eval --gt lvis_v1_val.json --dt topk.json --fixed-ap
        """)

    @Option(name: .long, help: ArgumentHelp("Checkpoint written by `detect-train fit` (or `loce-finetune fit`).",
                                            valueName: "FILE.safetensors"))
    var checkpoint: String

    @Option(name: .long, help: ArgumentHelp("Shard folder to run on.", valueName: "SHARDS"))
    var data: String?

    @Option(name: .long, help: ArgumentHelp("Image files to run on: a folder, a text file of paths, `-` (paths on stdin) or one image.",
                                            valueName: "DIR|LIST|-"))
    var images: String?

    @Option(name: .customLong("image-ids"),
            help: ArgumentHelp("--images: a COCO/LVIS json whose images give the ids (matched by file name).", valueName: "FILE.json"))
    var imageIDs: String?

    @Option(name: .customLong("id-map"),
            help: ArgumentHelp("--images: write which file got which image id (default: OUT.images.json beside --out).",
                               valueName: "FILE.json"))
    var idMap: String?

    @Option(name: .long, help: ArgumentHelp("--images: write each image with its detections drawn into this folder (JPEG).",
                                            valueName: "DIR"))
    var draw: String?

    @Option(name: .customLong("draw-threshold"), parsing: .unconditional,
            help: ArgumentHelp("--draw: the lowest score drawn (0-1).", valueName: "SCORE"))
    var drawThreshold: Double = 0.5

    static let maxPixelsRange = OptionRange(1...ImageLimits.maxPixelsCeiling)
    static let defaultMaxPixels = 1 << 26

    @Option(name: .customLong("max-pixels"), parsing: .unconditional,
            help: ArgumentHelp("--images: skip images of more pixels than this (\(PredictCommand.maxPixelsRange)).", valueName: "N"))
    var maxPixels: Int = PredictCommand.defaultMaxPixels

    @Option(name: .long, help: ArgumentHelp("Results file (written atomically); `-` or absent: stdout.", valueName: "FILE.json"))
    var out: String?

    static let batchRange = OptionRange(1...1024)
    static let numShardsRange = OptionRange(1...100_000)

    @Option(name: .long, parsing: .unconditional, help: "Images per forward pass (\(PredictCommand.batchRange)).")
    var batch: Int = 1

    @Option(name: .long, parsing: .unconditional, help: "Job array: number of contiguous pieces the records are split into (\(PredictCommand.numShardsRange)).")
    var numShards: Int = 1

    @Option(name: .long, parsing: .unconditional, help: "Job array: which piece this run predicts (0-based).")
    var shardIndex: Int = 0

    @Option(name: .customLong("set"), parsing: .singleValue,
            help: ArgumentHelp("Change a test-time setting of the checkpoint's config: test.scoreThreshold, test.nmsIoU, "
                               + "test.maxDetectionsPerImage or test.maskThreshold (repeatable).", valueName: "KEY=VALUE"))
    var testSettings: [String] = []

    static let topKRange = OptionRange(1...1_000_000)

    @Option(name: .customLong("per-class-topk"), parsing: .unconditional,
            help: ArgumentHelp("Keep the K best detections of each class over the dataset (Fixed AP's input), \(PredictCommand.topKRange).",
                               valueName: "K"))
    var perClassTopK: Int?

    @OptionGroup var runtime: RuntimeOptions

    /// The protocol's test settings under --per-class-topk (an explicit --set wins).
    static let topKDefaults = ["test.scoreThreshold=1e-7", "test.maxDetectionsPerImage=10000"]

    /// `--set` values, parsed (a malformed one is a usage error), after --per-class-topk's defaults.
    func testOverrides() throws -> [TestSettingOverride] {
        let explicit = try testSettings.map { try TestSettingOverride(parsing: $0) }
        guard perClassTopK != nil else { return explicit }
        let defaults = try Self.topKDefaults.map { try TestSettingOverride(parsing: $0) }
        return defaults.filter { d in !explicit.contains { $0.key == d.key } } + explicit
    }

    func validate() throws {
        do {
            _ = try testOverrides()
        } catch let error as ToolError {
            // ArgumentParser wraps what validate() throws: a ValidationError keeps exit 64.
            throw ValidationError(error.message + (error.hint.map { "; \($0)" } ?? ""))
        }
        try Self.batchRange.check(batch, option: "--batch")
        try Self.topKRange.check(perClassTopK, option: "--per-class-topk")
        if perClassTopK != nil && numShards > 1 {
            throw ValidationError("--per-class-topk keeps the best over the whole dataset: it cannot run as one of --num-shards pieces")
        }
        try Self.numShardsRange.check(numShards, option: "--num-shards")
        if shardIndex < 0 || shardIndex >= numShards {
            throw ValidationError("--shard-index must be in 0..<\(numShards) (got \(shardIndex))")
        }
        try validateInputs()
    }

    /// Exactly one of --data and --images, and the options of each only with it.
    func validateInputs() throws {
        switch (data, images) {
        case (nil, nil): throw ValidationError("give --data SHARDS or --images DIR|LIST|-")
        case (_?, _?): throw ValidationError("--data and --images exclude each other: run predict once per input")
        case (_?, nil):
            let imageOptions = [("--image-ids", imageIDs != nil), ("--id-map", idMap != nil), ("--draw", draw != nil),
                                ("--draw-threshold", drawThreshold != 0.5), ("--max-pixels", maxPixels != Self.defaultMaxPixels)]
            if let (name, _) = imageOptions.first(where: { $0.1 }) {
                throw ValidationError("\(name) goes with --images (the ids and sizes of --data come from its manifest)")
            }
        case (nil, _?):
            if numShards > 1 { throw ValidationError("--num-shards is for shard folders; with --images, give each job its own list of files") }
            if perClassTopK != nil {
                throw ValidationError("--per-class-topk is for evaluating shards; convert the images with lvis-prep and use --data")
            }
            guard drawThreshold.isFinite, (0...1).contains(drawThreshold) else {
                throw ValidationError("--draw-threshold must be a score in 0-1 (got \(drawThreshold))")
            }
            try Self.maxPixelsRange.check(maxPixels, option: "--max-pixels")
            if images == "-" && imageIDs == "-" { throw ValidationError("--images and --image-ids cannot both read standard input") }
            if imageIDs == nil && idMap == nil && (out == nil || out == "-") {
                throw ValidationError("with results on stdout, give --id-map FILE.json (which file got which id 1..N) "
                                      + "or --image-ids FILE.json (the ids of a COCO/LVIS json)")
            }
            if let idMap, idMap == "-" || idMap == out {
                throw ValidationError("--id-map \(idMap): give a file other than the results' (it is written beside them)")
            }
        }
    }

    /// The records piece `index` of `pieces` predicts: contiguous, split on batch
    /// boundaries so that each batch is the same as in an unsharded run. Batches
    /// [B*index/pieces, B*(index+1)/pieces) of the B batches, computed without overflow.
    static func records(count: Int, batch: Int, pieces: Int, index: Int) -> Range<Int> {
        let batches = count / batch + (count % batch == 0 ? 0 : 1)
        let first = share(batches, index, pieces), end = share(batches, index + 1, pieces)
        return firstRecord(ofBatch: first, batch: batch, count: count)..<firstRecord(ofBatch: end, batch: batch, count: count)
    }

    /// total * part / whole, exact (a double-width product), for 0 <= part <= whole.
    static func share(_ total: Int, _ part: Int, _ whole: Int) -> Int {
        whole.dividingFullWidth(total.multipliedFullWidth(by: part)).quotient
    }

    /// min(count, batchIndex * batch), without overflow.
    static func firstRecord(ofBatch batchIndex: Int, batch: Int, count: Int) -> Int {
        let (start, overflow) = batchIndex.multipliedReportingOverflow(by: batch)
        return overflow ? count : min(count, start)
    }

    func run() throws {
        if let images {
            let inputs = try imageInputs(images)
            let context = try runtime.makeContext(tool: DetectTrain.toolName, usesBLAS: true)
            return try predictImages(inputs, context: context)
        }
        guard let data else { preconditionFailure("validate() requires --data or --images") }
        try checkPaths(data: data)
        let context = try runtime.makeContext(tool: DetectTrain.toolName, usesBLAS: true, acrossRanks: true)
        let processes = context.processes
        if processes.isDistributed && (numShards > 1 || perClassTopK != nil) {
            throw ToolError.usage("\(numShards > 1 ? "--num-shards" : "--per-class-topk") cannot be combined with MPI ranks "
                                  + "(the \(processes.size) ranks already split the records)",
                                  hint: "run the job array or --per-class-topk without mpirun/srun")
        }
        let dataset = try ShardDataset(directory: data)
        let ids = dataset.categories.sorted { $0.index < $1.index }.map(\.id)
        let predictor = try DetectorPredictor(checkpoint: checkpoint, dataCategoryIDs: ids, dataDirectory: data,
                                              compute: try Compute.load(threads: context.parallelism.threads),
                                              testOverrides: try testOverrides(),
                                              checkSections: { header, path in _ = try FinetuneConfig.stored(in: header, checkpoint: path) })
        report(predictor, logger: context.logger)
        // MPI ranks split the records as a job array's pieces do; rank 0 writes them all.
        let range = Self.records(count: dataset.count, batch: batch, pieces: processes.isDistributed ? processes.size : numShards,
                                 index: processes.isDistributed ? processes.rank : shardIndex)
        if numShards > 1 {
            context.logger.info("piece \(shardIndex) of \(numShards): records \(range.lowerBound)..<\(range.upperBound) of \(dataset.count)")
        }
        let batches = EvaluationBatches(dataset: dataset, indices: Array(range), batchSize: batch,
                                        settings: LoaderSettings(config: predictor.config.input))
        let progress = ProgressBar(label: processes.isDistributed ? "predict (rank 0 of \(processes.size))" : "predict",
                                   total: range.count, unit: "img", logger: context.logger)
        StopSignals.install()
        // Streamed image by image, or (--per-class-topk) the kept detections at the end.
        let emit = { (stream: ResultsStream) throws in
            if let k = self.perClassTopK {
                var topK = PerClassTopK(classCount: ids.count, k: k)
                try predictor.predict(batches, into: &topK, progress: progress, stopRequested: StopSignals.received)
                try stream.write(topK.results())
            } else {
                try predictor.predict(batches, to: stream, progress: progress, stopRequested: StopSignals.received)
            }
        }
        if processes.isDistributed {
            try Self.gatherPieces(emit, out: out, processes: processes, logger: context.logger, total: dataset.count)
            progress.finish()
        } else {
            let count = try writeResults(emit)
            progress.finish()
            context.logger.info("wrote \(count) detections of \(range.count) images" + (out.map { $0 == "-" ? "" : " to \($0)" } ?? ""))
        }
    }

    /// Logs the test settings `--set` changed, and warns about a checkpoint of an unfinished run.
    func report(_ predictor: DetectorPredictor, logger: Logger) {
        if !testSettings.isEmpty {
            let test = predictor.config.test
            logger.info("test settings: score > \(test.scoreThreshold), NMS IoU \(test.nmsIoU), "
                        + "<= \(test.maxDetectionsPerImage) per image, mask threshold \(test.maskThreshold)")
        }
        if let progress = predictor.trainingProgress, progress.done < progress.scheduled {
            logger.warning("\(checkpoint): iteration \(progress.done) of the \(progress.scheduled) its run schedules: "
                           + "the run stopped early (--iterations, an interruption or a periodic save); continue it "
                           + "with `fit ... --resume` for the finished model")
        }
    }

    /// Streams the results `emit` writes to `--out` (atomically: committed after `finish`,
    /// not at all when either throws) or to stdout (as they come); returns their count.
    func writeResults(_ emit: (ResultsStream) throws -> Void, finish: () throws -> Void = {}) throws -> Int {
        if let out, out != "-" {
            let file = try AtomicFileWriter(path: out)
            let stream = try ResultsStream { try file.write($0) }
            try emit(stream)
            try stream.close()
            try finish()
            try file.commit()
            return stream.count
        }
        let output = StandardOutput()
        let stream = try ResultsStream { bytes in
            output.write(bytes: bytes)
            output.flush()
        }
        try emit(stream)
        try stream.close()
        output.flush()
        try finish()
        return stream.count
    }

    /// MPI: this rank's results (its piece of the records) are gathered to rank 0, which
    /// writes them in rank order as one results array, byte for byte what one process writes.
    static func gatherPieces(_ emit: (ResultsStream) throws -> Void, out: String?, processes: ProcessGroup, logger: Logger,
                             total: Int) throws {
        var piece: [UInt8] = []
        let stream = try ResultsStream { piece.append(contentsOf: $0) }
        try emit(stream)
        try stream.close()
        // "[" + elements ("\n{...},\n{...}") + "\n]\n", or "[]\n" when empty: keep the elements.
        let elements = stream.count == 0 ? [] : Array(piece.dropFirst().dropLast(3))
        guard let pieces = processes.gatherToRoot(elements) else { return }
        let nonEmpty = pieces.filter { !$0.isEmpty }
        var bytes = Array("[".utf8)
        for (index, piece) in nonEmpty.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: piece)
        }
        bytes.append(contentsOf: Array((nonEmpty.isEmpty ? "]\n" : "\n]\n").utf8))
        if let out, out != "-" {
            try writeFileAtomically(out, bytes: bytes)
            logger.info("wrote the detections of \(total) images from \(processes.size) ranks to \(out)")
        } else {
            let output = StandardOutput()
            output.write(bytes: bytes)
            output.flush()
        }
    }
}
