// bench-json: speed of the JSON writer and the streaming results reader on a generated
// COCO results file (boxes, or boxes + RLE masks). One JSON object per case on stdout.
//
//     swift build -c release --product bench-json
//     .build/release/bench-json --results 1200000 [--masks] [--keep /tmp/results.json]
//
// Compare with Python: `python3 -c "import json,time; t=time.process_time(); json.load(open(P)); print(time.process_time()-t)"`.
import ArgumentParser
import SharedData
import SharedMasks
import SharedSupport
#if canImport(Glibc)
import Glibc
#endif

/// CPU seconds of this process (the machine is shared: wall time is noisy).
func cpuSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

struct BenchJSON: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench-json",
                                                    abstract: "Measure JSON results writing and streaming reading.")

    @Option(help: "Number of detections to generate.") var results = 200_000
    @Flag(help: "Give every detection a compressed RLE mask (as segm results files do).") var masks = false
    @Option(help: "Path of the generated file (kept); default: a temporary file, removed.") var keep: String?
    @Option(help: "Timed repetitions of the read (the best is reported).") var repeats = 3

    func run() throws {
        let path = keep ?? "/tmp/bench-json-\(getpid()).json"
        defer { if keep == nil { unlink(path) } }
        var random = SeededRandom(seed: 1)
        let mask = RLE(polygon: [10, 10, 60, 12, 55, 70, 12, 50], height: 480, width: 640)

        let writeStart = cpuSeconds()
        let writer = try AtomicFileWriter(path: path)
        var json = JSONWriter(reservingCapacity: 1 << 20)
        var expectedScore = 0.0
        json.beginArray()
        for index in 0..<results {
            json.beginObject()
            json.key("image_id"); json.value(1 + random.nextInt(below: 20_000))
            json.key("category_id"); json.value(1 + random.nextInt(below: 1203))
            json.key("bbox")
            json.value([(random.nextDouble() * 60000).rounded() / 100, (random.nextDouble() * 40000).rounded() / 100,
                        (random.nextDouble() * 30000).rounded() / 100, (random.nextDouble() * 30000).rounded() / 100])
            let score = Double(Float(random.nextDouble()))  // float32 scores, as a model writes them
            expectedScore += score
            json.key("score"); json.value(score)
            if masks {
                json.key("segmentation")
                json.beginObject()
                json.key("size"); json.beginArray(); json.value(mask.height); json.value(mask.width); json.endArray()
                json.key("counts"); json.value(stringBytes: mask.compressedBytes)
                json.endObject()
            }
            json.endObject()
            if index % 4096 == 0 { try writer.write(json.takeBytes()) }
        }
        json.endArray()
        try writer.write(json.takeBytes())
        try writer.commit()
        let writeSeconds = cpuSeconds() - writeStart
        let size = Double(try JSONInput(path: path).bytes.count)

        var readSeconds = Double.infinity
        for _ in 0..<repeats {
            var count = 0
            var scoreSum = 0.0
            let start = cpuSeconds()
            try DetectionResultsReader.read(path: path) { result in
                count += 1
                scoreSum += result.score
            }
            readSeconds = min(readSeconds, cpuSeconds() - start)
            guard count == results, scoreSum == expectedScore else {
                throw ToolError("read back \(count) results (score sum \(scoreSum)), wrote \(results) (\(expectedScore))")
            }
        }
        var report = JSONWriter()
        report.beginObject()
        report.key("case"); report.value(masks ? "results+masks" : "results")
        report.key("detections"); report.value(results)
        report.key("megabytes"); report.value((size / 1e6 * 10).rounded() / 10)
        report.key("write_cpu_s"); report.value(writeSeconds)
        report.key("write_MBps"); report.value((size / writeSeconds / 1e6).rounded())
        report.key("read_cpu_s"); report.value(readSeconds)
        report.key("read_MBps"); report.value((size / readSeconds / 1e6).rounded())
        report.endObject()
        print(report.text)
    }
}

ToolMain.run(BenchJSON.self, tool: "bench-json")
