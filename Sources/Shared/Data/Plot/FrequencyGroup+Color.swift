// The one colour per LVIS frequency group that every chart uses (rare red, common orange,
// frequent blue; gray when a category has no group, as in COCO).

extension FrequencyGroup {
    /// The group's colour in plots.
    public var plotColor: RGBColor {
        switch self {
        case .rare: return .red
        case .common: return .orange
        case .frequent: return .blue
        }
    }

    /// "rare", "common", "frequent".
    public var displayName: String {
        switch self {
        case .rare: return "rare"
        case .common: return "common"
        case .frequent: return "frequent"
        }
    }
}
