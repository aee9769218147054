// The LVIS v1 json of a synthetic split, written with the shared JSONWriter: images with
// coco_url and the federated fields, polygon annotations of the visible parts, categories
// with synset, synonyms, def, frequency and training counts (as real LVIS files carry).
import SharedSupport

enum SynthJSON {
    /// The document bytes and how many annotations it holds.
    static func document(plans: [SynthImagePlan], results: [SynthImageResult], categories: [SynthCategory],
                         imageCounts: [Int], instanceCounts: [Int], seed: UInt64) -> (bytes: [UInt8], annotations: Int) {
        var json = JSONWriter(reservingCapacity: 1 << 20)
        json.beginObject()
        json.key("info"); json.beginObject()
        json.key("description"); json.value("LOCE synthetic long-tailed dataset (lvis-prep synth, seed \(seed))")
        json.key("version"); json.value("1.0")
        json.key("year"); json.value(2026)
        json.endObject()
        json.key("licenses"); json.beginArray()
        json.beginObject(); json.key("id"); json.value(1); json.key("name"); json.value("CC0 1.0 (generated)")
        json.key("url"); json.value("https://creativecommons.org/publicdomain/zero/1.0/"); json.endObject()
        json.endArray()
        json.key("images"); json.beginArray()
        for (plan, result) in zip(plans, results) {
            json.beginObject()
            json.key("id"); json.value(plan.id)
            json.key("width"); json.value(plan.width)
            json.key("height"); json.value(plan.height)
            json.key("license"); json.value(1)
            json.key("coco_url"); json.value("http://synthetic.invalid/\(plan.split)/\(SynthGenerator.fileName(plan.id))")
            json.key("flickr_url"); json.value("")
            json.key("date_captured"); json.value("2026-01-01 00:00:00")
            json.key("neg_category_ids"); json.beginArray()
            for index in result.negativeCategoryIndices { json.value(categories[index].id) }
            json.endArray()
            json.key("not_exhaustive_category_ids"); json.beginArray()
            for index in result.notExhaustiveCategoryIndices { json.value(categories[index].id) }
            json.endArray()
            json.endObject()
        }
        json.endArray()
        json.key("annotations"); json.beginArray()
        var nextID = (plans.first?.id ?? 1) >= 1_000_001 ? 1_000_001 : 1
        var written = 0
        for (plan, result) in zip(plans, results) {
            for (position, object) in result.objects.enumerated() where !result.unannotated.contains(position) {
                let pieces = object.visible.filter { $0.count >= 3 }
                guard !pieces.isEmpty else { continue }
                var x0 = Double.infinity, y0 = Double.infinity, x1 = -Double.infinity, y1 = -Double.infinity
                for piece in pieces {
                    for p in piece { x0 = min(x0, p.x); y0 = min(y0, p.y); x1 = max(x1, p.x); y1 = max(y1, p.y) }
                }
                json.beginObject()
                json.key("id"); json.value(nextID)
                json.key("image_id"); json.value(plan.id)
                json.key("category_id"); json.value(categories[object.categoryIndex].id)
                json.key("segmentation"); json.beginArray()
                for piece in pieces {
                    json.value(piece.flatMap { [round2($0.x), round2($0.y)] })
                }
                json.endArray()
                json.key("area"); json.value(round2(object.visibleArea))
                json.key("bbox"); json.value([round2(x0), round2(y0), round2(x1 - x0), round2(y1 - y0)])
                json.endObject()
                nextID += 1
                written += 1
            }
        }
        json.endArray()
        json.key("categories"); json.beginArray()
        for (index, category) in categories.enumerated() {
            json.beginObject()
            json.key("id"); json.value(category.id)
            json.key("name"); json.value(category.name)
            json.key("synset"); json.value("\(category.name).n.01")
            json.key("synonyms"); json.beginArray(); json.value(category.name); json.endArray()
            json.key("def"); json.value("a \(category.color.name) \(category.texture.name) \(category.shape.name) (synthetic)")
            json.key("frequency"); json.value(CategoryTable.group(imageCount: imageCounts[index]).rawValue)
            json.key("image_count"); json.value(imageCounts[index])
            json.key("instance_count"); json.value(instanceCounts[index])
            json.endObject()
        }
        json.endArray()
        json.endObject()
        json.newline()
        return (json.bytes, written)
    }

    static func round2(_ value: Double) -> Double { (value * 100).rounded() / 100 }

    /// synth-config.json: the resolved configuration, the seed and the class list.
    static func configText(config: SynthConfig, seed: UInt64, categories: [SynthCategory]) -> String {
        var json = JSONWriter()
        json.beginObject()
        json.key("tool"); json.value("lvis-prep synth")
        json.key("seed"); json.value(Int(truncatingIfNeeded: seed))
        json.key("trainImages"); json.value(config.trainImages)
        json.key("valImages"); json.value(config.valImages)
        json.key("rareCategories"); json.value(config.rareCategories)
        json.key("commonCategories"); json.value(config.commonCategories)
        json.key("frequentCategories"); json.value(config.frequentCategories)
        json.key("sides"); json.value(config.sides.map(Double.init))
        json.key("maxFrequentFraction"); json.value(config.maxFrequentFraction)
        json.key("minValImagesPerCategory"); json.value(config.minValImagesPerCategory)
        json.key("valFraction"); json.value(config.valFraction)
        json.key("maxObjectsPerImage"); json.value(config.maxObjectsPerImage)
        json.key("twinFraction"); json.value(config.twinFraction)
        json.key("jpegQuality"); json.value(config.jpegQuality)
        json.key("imbalance"); json.value(config.imbalance)
        json.key("categories"); json.beginArray()
        for category in categories {
            json.beginObject()
            json.key("id"); json.value(category.id)
            json.key("name"); json.value(category.name)
            json.key("intendedGroup"); json.value(category.intendedGroup.rawValue)
            json.key("targetTrainImages"); json.value(category.targetImages)
            json.key("twinOf"); if let twin = category.twinOf { json.value(twin) } else { json.null() }
            json.endObject()
        }
        json.endArray()
        json.endObject()
        json.newline()
        return json.text
    }
}
