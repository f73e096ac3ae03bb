import Foundation

/// Loads and saves `state.json`. An actor, because train tasks finish concurrently and each
/// checkpoint must be written whole.
public actor StateStore {
    public let path: String
    public private(set) var state: PipelineState

    public init(path: String, profile: String) throws {
        self.path = path
        self.state = try Self.load(path: path) ?? PipelineState(profile: profile)
    }

    public static func load(path: String) throws -> PipelineState? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        struct Header: Decodable { var version: Int }
        guard let header = try? JSONDecoder().decode(Header.self, from: data) else {
            throw StateError.corrupt(path: path)
        }
        guard header.version == PipelineState.currentVersion else {
            throw StateError.unsupportedVersion(path: path, version: header.version)
        }
        do {
            return try JSONDecoder().decode(PipelineState.self, from: data)
        } catch {
            throw StateError.corrupt(path: path)
        }
    }

    public func record(_ name: String) -> StageRecord? { state.stages[name] }

    public func update(_ name: String, _ change: (inout StageRecord?) -> Void) throws {
        change(&state.stages[name])
        try save()
    }

    func save() throws {
        try AtomicFile.write(try JSONEncoder.temper.encode(state), to: path)
    }
}

public enum StateError: Error, CustomStringConvertible, Equatable {
    case corrupt(path: String)
    case unsupportedVersion(path: String, version: Int)

    public var description: String {
        switch self {
        case .corrupt(let path):
            return "the state file \(path) is not valid temper state. Run with --fresh to start the work dir over."
        case .unsupportedVersion(let path, let version):
            return "the state file \(path) has format version \(version); this temper reads version \(PipelineState.currentVersion). Run with --fresh, or use the temper that wrote it."
        }
    }
}
