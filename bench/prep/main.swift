// bench-prep: images/s of `lvis-prep convert` on real COCO images (coco128 repeated to >= 1000
// images) next to the plain libjpeg-turbo decode rate of the same files, measured in the same
// run. One JSON line per case: {"bench","case","metric","ours","reference","ratio"}.
//
// Two metrics per case: wall-clock images/s, and images per CPU-second of the process (the
// machine is shared; CPU time is what the 1-thread comparison means when others load it).
// Cases: convert with 1 and 2 threads, (a) keeping the size (JPEGs validated by a full decode
// and stored as their original bytes) and (b) the `tiny` preset size (--max-size 256,384:
// DCT-scaled decode, area resize, JPEG re-encode). Reference: single-thread full decode of
// the same files from memory (libjpeg-turbo defaults). Target: ratio >= 0.7 with 1 thread,
// ~2x that with 2.
import Foundation
import SharedData
import SharedSupport

func argument(_ name: String, _ fallback: String) -> String {
    let arguments = CommandLine.arguments
    if let index = arguments.firstIndex(of: name), index + 1 < arguments.count { return arguments[index + 1] }
    return fallback
}

let coco = argument("--coco128", "../shared/data/coco128")
let minimumImages = Int(argument("--images", "1000"))!
let repeats = Int(argument("--repeats", "2"))!
let logger = Logger(tool: "bench-prep", verbosity: .quiet)

// The dataset: coco128's json with its images repeated under new ids.
let source = try Dataset.load(path: coco + "/annotations/instances_train2017.json")
var images: [ImageInfo] = [], annotations: [GroundTruthAnnotation] = []
var copy = 0
while images.count < minimumImages {
    for image in source.images {
        var info = image
        info.id = ImageID(copy * 1_000_000 + image.id.rawValue)
        images.append(info)
    }
    for annotation in source.annotations {
        var repeated = annotation
        repeated.id = AnnotationID(copy * 10_000_000 + annotation.id.rawValue)
        repeated.imageID = ImageID(copy * 1_000_000 + annotation.imageID.rawValue)
        annotations.append(repeated)
    }
    copy += 1
}
let dataset = Dataset(format: source.format, images: images, annotations: annotations, categories: source.categories)
let plan = PrepPlan(dataset: dataset, annotationsPath: "bench")
let root = coco + "/train2017"

// Reference: decode every file (from memory) on one thread.
let files = source.images.compactMap { image in readWholeFile(root + "/" + (image.fileName ?? "")) }
precondition(files.count == source.images.count, "coco128 images not found under \(root)")
/// CPU seconds used by this process so far (all threads).
func cpuSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) * 1e-9
}

struct Rate { var wall: Double; var cpu: Double }

func decodeRate() throws -> Rate {
    let clock = Stopwatch(), cpu = cpuSeconds()
    var decoded = 0
    while decoded < images.count {
        for bytes in files where decoded < images.count {
            _ = try JPEGCodec.decode(bytes)
            decoded += 1
        }
    }
    return Rate(wall: Double(decoded) / clock.elapsed, cpu: Double(decoded) / (cpuSeconds() - cpu))
}

func convertRate(threads: Int, maxSize: (Int, Int)?) throws -> Rate {
    let out = NSTemporaryDirectory() + "bench-prep-\(getpid())-\(threads)"
    try? FileManager.default.removeItem(atPath: out)
    defer { try? FileManager.default.removeItem(atPath: out) }
    let settings = ConvertSettings(annotations: "bench", images: root, split: "train", encoding: "jpeg",
                                   maxShortSide: maxSize?.0, maxLongSide: maxSize?.1, jpegQuality: 90,
                                   recordsPerShard: 512, numPieces: 1)
    let options = ConvertOptions(maxShortSide: maxSize?.0, maxLongSide: maxSize?.1, encoding: .jpeg, jpegQuality: 90)
    let job = ConvertJob(plan: plan, settings: settings, options: options, outputDirectory: out, pieceIndex: 0,
                         strict: false, logger: logger, parallelism: Parallelism(threads: threads))
    let clock = Stopwatch(), cpu = cpuSeconds()
    let report = try job.run()
    let seconds = clock.elapsed, cpuUsed = cpuSeconds() - cpu
    precondition(report.counts.images == images.count && report.problems.isEmpty, "convert skipped images: \(report.problems.lines)")
    return Rate(wall: Double(report.counts.images) / seconds, cpu: Double(report.counts.images) / cpuUsed)
}

func best(_ body: () throws -> Rate) rethrows -> Rate {
    var result = Rate(wall: 0, cpu: 0)
    for _ in 0..<repeats {
        let rate = try body()
        result = Rate(wall: max(result.wall, rate.wall), cpu: max(result.cpu, rate.cpu))
    }
    return result
}

func emit(_ name: String, metric: String, ours: Double, reference: Double) {
    var json = JSONWriter()
    json.beginObject()
    json.key("bench"); json.value("prep")
    json.key("case"); json.value(name)
    json.key("metric"); json.value(metric)
    json.key("ours"); json.value((ours * 10).rounded() / 10)
    json.key("reference"); json.value((reference * 10).rounded() / 10)
    json.key("ratio"); json.value((ours / reference * 1000).rounded() / 1000)
    json.endObject()
    print(json.text)
}

let cases: [(String, (Int, Int)?)] = [("keep-size", nil), ("tiny-256x384", (256, 384))]
for (name, size) in cases {
    for threads in [1, 2] {
        // Interleave the reference with each case so both see the same machine load.
        let reference = try best(decodeRate)
        let ours = try best { try convertRate(threads: threads, maxSize: size) }
        let label = "convert-\(name)-threads\(threads)-vs-decode-1thread (\(images.count) coco128 images)"
        emit(label, metric: "images/s wall", ours: ours.wall, reference: reference.wall)
        if threads == 1 { emit(label, metric: "images per cpu-second", ours: ours.cpu, reference: reference.cpu) }
    }
}

// Synthetic dataset generation (lvis-prep synth): the target is >= 200 images/s; no other
// implementation exists to measure against, so the reference is that target (not measured).
do {
    var config = SynthConfig.standard
    config.trainImages = 800
    config.valImages = 200
    let out = NSTemporaryDirectory() + "bench-prep-synth-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: out) }
    for threads in [1, 2] {
        try? FileManager.default.removeItem(atPath: out)
        let clock = Stopwatch(), cpu = cpuSeconds()
        let summary = try SynthGenerator(config: config, seed: 1).write(to: out, logger: logger, parallelism: Parallelism(threads: threads))
        let wall = Double(summary.images) / clock.elapsed, perCPU = Double(summary.images) / (cpuSeconds() - cpu)
        let label = "synth-\(summary.images)-images-threads\(threads) (reference: the 200 img/s target)"
        emit(label, metric: "images/s wall", ours: wall, reference: 200)
        if threads == 1 { emit(label, metric: "images per cpu-second", ours: perCPU, reference: 200) }
    }
}
