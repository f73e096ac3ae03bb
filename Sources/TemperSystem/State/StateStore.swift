import TemperModel
import Foundation

/// Loads and saves `state.json`. An actor, because train tasks finish concurrently and each
/// checkpoint must be written whole.
public actor StateStore {
    public let path: String
    public private(set) var state: PipelineState

    /// `discarding`: start from an empty state whatever the file holds (`--fresh`, which is
    /// also the way out of a damaged state file).
    public init(path: String, profile: String, discarding: Bool = false) throws {
        self.path = path
        self.state = discarding ? PipelineState(profile: profile) : try Self.load(path: path) ?? PipelineState(profile: profile)
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

    public func record(_ id: StageID) -> StageRecord? { state.stages[id.rawValue] }

    public func update(_ id: StageID, _ change: (inout StageRecord?) -> Void) throws {
        change(&state.stages[id.rawValue])
        try save()
    }

    /// Records the parts the stages of this run's pipeline play.
    public func setRoles(_ roles: StageRoles) throws {
        guard state.roles != roles else { return }
        state.roles = roles
        try save()
    }

    /// Writes the state file if there is none yet: from then on the directory is a work dir.
    public func markWorkDir() throws {
        if !FileManager.default.fileExists(atPath: path) { try save() }
    }

    /// Forgets every stage (`--fresh`), keeping the file that marks the work dir.
    public func reset() throws {
        state = PipelineState(profile: state.profile)
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


extension StateError: ExitCoded {
    public var exitStatus: Int32 { ExitStatus.badInput }
}
