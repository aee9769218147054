// `lvis-prep synth`: decides which images hold which categories (exact training-image
// counts per category, the long tail), renders every image in parallel from its own seeded
// stream (same bytes for any thread count), and writes LVIS v1 json + JPEGs atomically:
// images go to a hidden partial folder that is renamed into place, then the jsons. A stop
// request (SIGINT/SIGTERM) ends the rendering between images and removes the partial folder.
import Foundation
import SharedSupport

public struct SynthSummary: Sendable {
    public var images = 0
    public var instances = 0
    public var categories = 0
    /// Categories with no annotated training image (too few --train-images for the tail):
    /// the json still lists them, as rare with image_count 0.
    public var categoriesWithoutTrainingImages = 0
}

/// One image to render: its id, size, the category indices of its objects, and the seed stream.
struct SynthImagePlan: Sendable {
    var id: Int
    var split: String
    var width: Int
    var height: Int
    var requests: [Int]
    var stream: UInt64
}

/// A rendered image's annotations and federated fields (json written after all are done).
struct SynthImageResult: Sendable {
    var objects: [SynthObject]
    var negativeCategoryIndices: [Int]
    var notExhaustiveCategoryIndices: [Int]
    /// Objects left unannotated (their category is then marked not exhaustive).
    var unannotated: Set<Int>
}

public struct SynthGenerator {
    public let config: SynthConfig
    public let seed: UInt64
    public let categories: [SynthCategory]

    public init(config: SynthConfig, seed: UInt64) {
        self.config = config
        self.seed = seed
        var random = SeededRandom(seed: seed, stream: 0)
        categories = SynthCategories.make(config: config, random: &random)
    }

    /// Image plans for both splits: train holds each category in exactly its target number
    /// of images; val holds each in at least `minValImagesPerCategory`.
    func plans() -> [SynthImagePlan] {
        var random = SeededRandom(seed: seed, stream: 1)
        var result: [SynthImagePlan] = []
        for (split, count, firstID) in [("train2017", config.trainImages, 1), ("val2017", config.valImages, 1_000_001)] {
            var requests = [[Int]](repeating: [], count: count)
            for (index, category) in categories.enumerated() {
                let images = split == "train2017"
                    ? category.targetImages
                    : max(config.minValImagesPerCategory, Int((Double(category.targetImages) * config.valFraction).rounded()))
                for image in sample(min(images, count), from: count, random: &random) {
                    // 1 + Poisson(mean - 1) instances, at most 4.
                    var instances = 1
                    let extra = category.instancesPerImage - 1
                    if extra > 0 {
                        let limit = exp(-extra)
                        var product = random.nextDouble()
                        while product > limit && instances < 4 { instances += 1; product *= random.nextDouble() }
                    }
                    requests[image] += Array(repeating: index, count: instances)
                }
            }
            for image in 0..<count {
                var list = requests[image]
                // Above the cap, drop objects of the most frequent categories first: extra
                // instances, then whole categories (their json counts follow what is kept).
                while list.count > config.maxObjectsPerImage {
                    var counts: [Int: Int] = [:]
                    for c in list { counts[c, default: 0] += 1 }
                    let byFrequency = counts.keys.sorted { (categories[$0].targetImages, $0) > (categories[$1].targetImages, $1) }
                    let victim = byFrequency.first { counts[$0]! > 1 } ?? byFrequency[0]
                    list.remove(at: list.lastIndex(of: victim)!)
                }
                if list.isEmpty { list = [random.nextInt(below: categories.count)] }
                list.shuffle(using: &random)
                let width = config.sides[random.nextInt(below: config.sides.count)]
                let height = config.sides[random.nextInt(below: config.sides.count)]
                result.append(SynthImagePlan(id: firstID + image, split: split, width: width, height: height, requests: list,
                                             stream: UInt64(1000 + result.count)))
            }
        }
        return result
    }

    /// `count` distinct indices of 0..<total, in increasing order (partial Fisher-Yates).
    func sample(_ count: Int, from total: Int, random: inout SeededRandom) -> [Int] {
        var pool = Array(0..<total)
        for i in 0..<count {
            let j = i + random.nextInt(below: total - i)
            pool.swapAt(i, j)
        }
        return pool[0..<count].sorted()
    }

    /// Renders one image and its federated fields.
    func render(_ plan: SynthImagePlan) -> (jpeg: [UInt8], result: SynthImageResult) {
        var random = SeededRandom(seed: seed, stream: plan.stream)
        let (image, objects) = SynthScene.render(width: plan.width, height: plan.height, requests: plan.requests,
                                                 categories: categories, random: &random)
        let present = Set(objects.map(\.categoryIndex))
        // Negatives: the near-twins of present categories (so twin confusions count as false
        // positives) plus random absent ones, as LVIS annotators verified absence.
        var negatives = Set<Int>()
        for index in present {
            let id = categories[index].id
            for (other, category) in categories.enumerated() where !present.contains(other) {
                if category.twinOf == id || categories[index].twinOf == category.id { negatives.insert(other) }
            }
        }
        for _ in 0..<(2 + random.nextInt(below: 5)) {
            let other = random.nextInt(below: categories.count)
            if !present.contains(other) { negatives.insert(other) }
        }
        // Not exhaustive: now and then one instance of a present category is left unannotated.
        var notExhaustive: [Int] = []
        var unannotated = Set<Int>()
        if random.nextDouble() < 0.05 {
            var counts: [Int: [Int]] = [:]
            for (position, object) in objects.enumerated() { counts[object.categoryIndex, default: []].append(position) }
            if let (category, positions) = counts.filter({ $0.value.count >= 2 }).sorted(by: { $0.key < $1.key }).first {
                notExhaustive.append(category)
                unannotated.insert(positions[random.nextInt(below: positions.count)])
            }
        }
        let jpeg = JPEGCodec.encode(image, quality: config.jpegQuality)
        return (jpeg, SynthImageResult(objects: objects, negativeCategoryIndices: negatives.sorted(),
                                       notExhaustiveCategoryIndices: notExhaustive, unannotated: unannotated))
    }

    /// Writes OUT/lvis_v1_{train,val}.json, OUT/{train2017,val2017}/*.jpg and OUT/synth-config.json.
    /// When `stopRequested` returns a signal before every image is rendered, nothing is
    /// published and the run throws exit 130/143.
    public func write(to directory: String, logger: Logger, parallelism: Parallelism,
                      stopRequested: @Sendable () -> Int32? = { nil }) throws -> SynthSummary {
        let files = FileManager.default
        try makeDirectory(directory)
        let marker = directory + "/synth-config.json"
        for split in ["train2017", "val2017"] where files.fileExists(atPath: directory + "/" + split) && !files.fileExists(atPath: marker) {
            throw ToolError("\(directory)/\(split) exists and was not made by `lvis-prep synth`", file: directory,
                            hint: "choose another --out folder")
        }
        // What an interrupted run of an older version left (`.synth-partial-PID`, no host).
        ProcessOwnedNames.removeAbandoned(in: directory, prefix: StagingFolder.prefix("synth"), hostQualified: false)
        let staging = try StagingFolder(in: directory, label: "synth")
        for split in ["train2017", "val2017"] { try makeDirectory(staging.staged(split)) }
        let plans = self.plans()
        let results = ResultSlots<SynthImageResult>(count: plans.count)
        let failures = ResultSlots<ToolError>(count: 1)
        let progress = ProgressBar(label: "synth", total: plans.count, unit: "img", logger: logger)
        parallelism.forEachDynamic(plans.count) { index in
            if stopRequested() != nil { return }
            let plan = plans[index]
            let (jpeg, result) = render(plan)
            do {
                try writePlainFile(staging.staged(plan.split) + "/" + Self.fileName(plan.id), bytes: jpeg)
            } catch let error as ToolError {
                failures.set(0, error)
            } catch {}
            results.set(index, result)
            progress.advance()
        }
        progress.finish()
        if let failure = failures.get(0) { throw failure }
        if let signal = stopRequested() {
            throw ToolError("stopped by \(StopSignals.name(signal)) before every image was rendered; nothing was written", file: directory,
                            hint: "run the same command again", exitCode: ToolExitCode(stoppedBy: signal))
        }
        var all: [SynthImageResult] = []
        for index in 0..<plans.count { all.append(results.get(index)!) }
        // Category counts from the training annotations actually written.
        var imageCounts = [Int](repeating: 0, count: categories.count), instanceCounts = imageCounts
        for (plan, result) in zip(plans, all) where plan.split == "train2017" {
            var seen = Set<Int>()
            for (position, object) in result.objects.enumerated() where !result.unannotated.contains(position) {
                instanceCounts[object.categoryIndex] += 1
                if seen.insert(object.categoryIndex).inserted { imageCounts[object.categoryIndex] += 1 }
            }
        }
        // Mark the folder as ours, drop old jsons (so old annotations never pair with new
        // images), move the images into place, then write the jsons last, atomically.
        try writeFileAtomically(marker, text: SynthJSON.configText(config: config, seed: seed, categories: categories))
        for name in ["lvis_v1_train.json", "lvis_v1_val.json"] where files.fileExists(atPath: directory + "/" + name) {
            try files.removeItem(atPath: directory + "/" + name)
        }
        for split in ["train2017", "val2017"] { try staging.publishFolder(split) }
        staging.remove()
        var summary = SynthSummary()
        summary.categories = categories.count
        summary.categoriesWithoutTrainingImages = imageCounts.filter { $0 == 0 }.count
        for split in ["train2017", "val2017"] {
            let indices = plans.indices.filter { plans[$0].split == split }
            let json = SynthJSON.document(plans: indices.map { plans[$0] }, results: indices.map { all[$0] }, categories: categories,
                                          imageCounts: imageCounts, instanceCounts: instanceCounts, seed: seed)
            try writeFileAtomically(directory + "/lvis_v1_" + (split == "train2017" ? "train" : "val") + ".json", bytes: json.bytes)
            summary.images += indices.count
            summary.instances += json.annotations
        }
        return summary
    }

    static func fileName(_ id: Int) -> String {
        let digits = String(id)
        return String(repeating: "0", count: max(0, 12 - digits.count)) + digits + ".jpg"
    }
}

/// Writes a file without fsync (many small files inside a folder renamed into place later).
func writePlainFile(_ path: String, bytes: [UInt8]) throws {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw ToolError.io("cannot create file: \(String(cString: strerror(errno)))", file: path) }
    defer { close(descriptor) }
    let failure = bytes.withUnsafeBufferPointer { StandardStreams.writeAll(descriptor, $0) }
    if failure != 0 { throw ToolError.io("cannot write file: \(String(cString: strerror(failure)))", file: path) }
}
