// The synthetic classes: procedural objects (shape x colour x texture) with training-image
// counts taken from the real LVIS v1 long tail (stratified quantiles of each group; rare and
// common keep their real counts, frequent ones are log-compressed to fit the split), and
// near-twins: rare classes that differ from a frequent class in exactly one attribute. The
// `imbalance` knob steepens or flattens those counts (SynthConfig).
import SharedSupport

public enum SynthShape: Int, CaseIterable, Sendable {
    case circle, square, triangle, diamond, pentagon, hexagon, star, cross, arrow, crescent
    public var name: String {
        ["circle", "square", "triangle", "diamond", "pentagon", "hexagon", "star", "cross", "arrow", "crescent"][rawValue]
    }
}

public enum SynthTexture: Int, CaseIterable, Sendable {
    case solid, striped, dotted, checkered
    public var name: String { ["solid", "striped", "dotted", "checkered"][rawValue] }
}

/// Saturated colours for classes (clutter uses greys and browns only).
public enum SynthColor: Int, CaseIterable, Sendable {
    case red, green, blue, yellow, magenta, cyan, orange, purple
    public var name: String { ["red", "green", "blue", "yellow", "magenta", "cyan", "orange", "purple"][rawValue] }
    public var rgb: RGBColor {
        RGBColor(hex: [0xE0_2020, 0x20_B030, 0x2040_E0, 0xF0_D020, 0xE0_20D0, 0x20_D0E0, 0xF0_8010, 0x80_30C0][rawValue])
    }
}

public struct SynthCategory: Equatable, Sendable {
    public var id: Int
    public var shape: SynthShape
    public var color: SynthColor
    public var texture: SynthTexture
    /// The group the category was drawn for (the json's frequency is recomputed from the counts).
    public var intendedGroup: FrequencyGroup
    /// Training images that should contain it.
    public var targetImages: Int
    /// Mean instances per image where it appears (from LVIS instance/image counts, capped).
    public var instancesPerImage: Double
    /// The id of the frequent category this one is a near-twin of.
    public var twinOf: Int?

    public var name: String { "\(color.name)_\(texture.name)_\(shape.name)" }
}

public enum SynthCategories {
    /// Draws the category list for `config`, deterministically from `random`.
    public static func make(config: SynthConfig, random: inout SeededRandom) -> [SynthCategory] {
        let table = LVISLongTailTable.self
        let groups: [(FrequencyGroup, Character, Int)] = [(.frequent, "f", config.frequentCategories),
                                                           (.common, "c", config.commonCategories),
                                                           (.rare, "r", config.rareCategories)]
        let frequencies = Array(table.frequencies)
        let maxFrequent = max(101, Int(Double(config.trainImages) * config.maxFrequentFraction))
        let realMaxFrequent = Double(table.imageCounts.max() ?? 101)
        var used = Set<Int>()   // shape * 100 + colour * 10 + texture
        var categories: [SynthCategory] = []
        func key(_ s: SynthShape, _ c: SynthColor, _ t: SynthTexture) -> Int { s.rawValue * 100 + c.rawValue * 10 + t.rawValue }
        for (group, letter, count) in groups where count > 0 {
            // Real categories of this group, by image count; stratified quantiles.
            let real = (0..<table.imageCounts.count).filter { frequencies[$0] == letter }
                .sorted { (table.imageCounts[$0], $0) < (table.imageCounts[$1], $1) }
            for slot in 0..<count {
                let realIndex = real[min(real.count - 1, Int((Double(slot) + 0.5) / Double(count) * Double(real.count)))]
                var images = table.imageCounts[realIndex]
                if group == .frequent {
                    // log-linear map [101, real max] -> [101, maxFrequent]
                    let t = log(Double(images) / 101) / log(realMaxFrequent / 101)
                    images = Int((101 * pow(Double(maxFrequent) / 101, t)).rounded())
                }
                if config.imbalance != 1 {
                    // The steepness knob, on the log scale below the largest frequent target.
                    images = Int((Double(maxFrequent) * pow(Double(images) / Double(maxFrequent), config.imbalance)).rounded())
                }
                images = max(1, min(images, config.trainImages))
                let ratio = Double(table.instanceCounts[realIndex]) / Double(max(1, table.imageCounts[realIndex]))
                var shape = SynthShape.allCases[random.nextInt(below: SynthShape.allCases.count)]
                var color = SynthColor.allCases[random.nextInt(below: SynthColor.allCases.count)]
                var texture = SynthTexture.allCases[random.nextInt(below: SynthTexture.allCases.count)]
                var twin: Int?
                let frequentOnes = categories.filter { $0.intendedGroup == .frequent }
                if group == .rare, Double(slot) < Double(count) * config.twinFraction, !frequentOnes.isEmpty {
                    // A near-twin: copy a frequent class and change exactly one attribute.
                    for _ in 0..<50 {
                        let base = frequentOnes[random.nextInt(below: frequentOnes.count)]
                        shape = base.shape; color = base.color; texture = base.texture
                        switch random.nextInt(below: 3) {
                        case 0: shape = SynthShape.allCases[random.nextInt(below: SynthShape.allCases.count)]
                        case 1: color = SynthColor.allCases[random.nextInt(below: SynthColor.allCases.count)]
                        default: texture = SynthTexture.allCases[random.nextInt(below: SynthTexture.allCases.count)]
                        }
                        if !used.contains(key(shape, color, texture)) { twin = base.id; break }
                    }
                }
                while used.contains(key(shape, color, texture)) {
                    shape = SynthShape.allCases[random.nextInt(below: SynthShape.allCases.count)]
                    color = SynthColor.allCases[random.nextInt(below: SynthColor.allCases.count)]
                    texture = SynthTexture.allCases[random.nextInt(below: SynthTexture.allCases.count)]
                    twin = nil
                }
                used.insert(key(shape, color, texture))
                categories.append(SynthCategory(id: categories.count, shape: shape, color: color, texture: texture, intendedGroup: group,
                                                targetImages: images, instancesPerImage: min(3, max(1, ratio)), twinOf: twin))
            }
        }
        // Ids 1...N in name order (as LVIS sorts categories alphabetically); twins re-pointed.
        let oldIDs = categories.indices.map { $0 }
        let order = oldIDs.sorted { categories[$0].name < categories[$1].name }
        var newID = [Int](repeating: 0, count: categories.count)
        for (position, old) in order.enumerated() { newID[old] = position + 1 }
        return order.map { old in
            var category = categories[old]
            category.id = newID[old]
            category.twinOf = category.twinOf.map { newID[$0] }  // was the base's position
            return category
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
