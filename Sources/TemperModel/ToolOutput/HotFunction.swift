/// One of the hottest functions of a profile.
public struct HotFunction: Codable, Equatable, Sendable {
    public var name: String
    public var maxCount: Int

    public init(name: String, maxCount: Int) {
        self.name = name
        self.maxCount = maxCount
    }

    enum CodingKeys: String, CodingKey {
        case name
        case maxCount = "max_count"
    }
}
