// What `inspect` and `stats` report about a shard folder, computed from its manifest: counts
// per split and per frequency group, and the long-tail histogram (PNG) coloured by group.
import SharedSupport

public struct GroupSummary: Equatable, Sendable {
    public var group: FrequencyGroup
    public var categories = 0
    public var categoriesWithInstances = 0
    public var instances = 0
}

public struct ShardInspection: Sendable {
    public let directory: String
    public let manifest: ShardManifest
    public let groups: [GroupSummary]

    public init(directory: String, manifest: ShardManifest) {
        self.directory = directory
        self.manifest = manifest
        var groups = [FrequencyGroup.rare, .common, .frequent].map { GroupSummary(group: $0) }
        for category in manifest.categories {
            let slot = [FrequencyGroup.rare, .common, .frequent].firstIndex(of: category.group)!
            let instances = category.index < manifest.counts.instancesPerClass.count ? manifest.counts.instancesPerClass[category.index] : 0
            groups[slot].categories += 1
            groups[slot].instances += instances
            if instances > 0 { groups[slot].categoriesWithInstances += 1 }
        }
        self.groups = groups
    }

    public var text: String {
        let c = manifest.counts
        var lines = ["\(directory) (split \(manifest.split), \(manifest.sourceFormat)): \(c.images) images, \(c.instances) instances (\(c.polygonInstances) polygon, \(c.rleInstances) RLE, \(c.crowdInstances) crowd), \(manifest.categories.count) categories, \(manifest.shards.count) shards"]
        lines.append("  group     categories  with-instances  instances")
        for group in groups {
            let name = group.group == .rare ? "rare" : (group.group == .common ? "common" : "frequent")
            lines.append("  " + pad(name, 10) + pad(String(group.categories), 12, left: true) + pad(String(group.categoriesWithInstances), 16, left: true)
                         + pad(String(group.instances), 11, left: true))
        }
        if !manifest.skipped.isEmpty {
            lines.append("  skipped: " + manifest.skipped.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }

    public func writeJSON(_ json: inout JSONWriter) {
        let c = manifest.counts
        json.beginObject()
        json.key("directory"); json.value(directory)
        json.key("split"); json.value(manifest.split)
        json.key("sourceFormat"); json.value(manifest.sourceFormat)
        json.key("images"); json.value(c.images)
        json.key("instances"); json.value(c.instances)
        json.key("polygonInstances"); json.value(c.polygonInstances)
        json.key("rleInstances"); json.value(c.rleInstances)
        json.key("crowdInstances"); json.value(c.crowdInstances)
        json.key("categories"); json.value(manifest.categories.count)
        json.key("shards"); json.value(manifest.shards.count)
        json.key("groups"); json.beginObject()
        for group in groups {
            json.key(group.group.rawValue); json.beginObject()
            json.key("categories"); json.value(group.categories)
            json.key("categoriesWithInstances"); json.value(group.categoriesWithInstances)
            json.key("instances"); json.value(group.instances)
            json.endObject()
        }
        json.endObject()
        json.key("skipped"); json.beginObject()
        for (kind, count) in manifest.skipped.sorted(by: { $0.key < $1.key }) { json.key(kind); json.value(count) }
        json.endObject()
        json.endObject()
    }

    /// Instances per category, sorted descending, as bars coloured by group on a log scale.
    public func longTailPlot(width: Int = 900, height: Int = 420) -> Canvas {
        var canvas = Canvas(width: width, height: height, background: .white)
        let colors: [FrequencyGroup: RGBColor] = [.rare: .red, .common: .orange, .frequent: .blue]
        let bars = manifest.categories.map { category -> (Int, FrequencyGroup) in
            let count = category.index < manifest.counts.instancesPerClass.count ? manifest.counts.instancesPerClass[category.index] : 0
            return (count, category.group)
        }.sorted { $0.0 > $1.0 }
        let left = 60.0, right = Double(width) - 20, top = 40.0, bottom = Double(height) - 40
        let maxCount = max(1, bars.first?.0 ?? 1)
        let decades = max(1, Int((log10(Double(maxCount))).rounded(.up)))
        func y(_ count: Int) -> Double {
            count <= 0 ? bottom : bottom - (bottom - top) * (log10(Double(count)) + 0.3) / (Double(decades) + 0.3)
        }
        for decade in 0...decades {
            let value = Int(pow10(decade))
            canvas.drawLine(from: CanvasPoint(left, y(value)), to: CanvasPoint(right, y(value)), color: .lightGray)
            let label = String(value)
            canvas.drawText(label, x: left - 6 - Double(Canvas.textWidth(label)), y: y(value) - 3, color: .black)
        }
        let barWidth = (right - left) / Double(max(1, bars.count))
        for (index, bar) in bars.enumerated() where bar.0 > 0 {
            let x = left + Double(index) * barWidth
            canvas.fillRect(x: x, y: y(bar.0), width: max(1, barWidth * 0.85), height: bottom - y(bar.0), color: colors[bar.1]!)
        }
        canvas.drawLine(from: CanvasPoint(left, bottom), to: CanvasPoint(right, bottom), color: .black)
        canvas.drawLine(from: CanvasPoint(left, top), to: CanvasPoint(left, bottom), color: .black)
        canvas.drawText("instances per category (log), \(manifest.split), \(bars.count) categories sorted by count", x: left, y: 12, color: .black, scale: 1)
        var legendX = left
        for (name, group) in [("rare", FrequencyGroup.rare), ("common", .common), ("frequent", .frequent)] {
            canvas.fillRect(x: legendX, y: Double(height) - 24, width: 10, height: 10, color: colors[group]!)
            canvas.drawText(name, x: legendX + 14, y: Double(height) - 22, color: .black)
            legendX += 24 + Double(Canvas.textWidth(name))
        }
        return canvas
    }

    private func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return left ? fill + text : text + fill
    }
}

#if canImport(Glibc)
import Glibc
#endif
private func pow10(_ exponent: Int) -> Double { pow(10, Double(exponent)) }
