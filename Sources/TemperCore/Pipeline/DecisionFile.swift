import TemperModel
import TemperSystem
import Foundation

/// Reads a decision file (`temper tune` writes it) for `temper run --decision`, refusing one
/// that is not temper's, is of a newer version, or was made for another profile.
public enum DecisionFile {
    public static func load(path: String, profile: PipelineProfile) throws -> TuneDecision {
        guard let data = RegularFile.contents(path, limit: 1 << 20) else {
            throw DecisionError.unreadable(path: path)
        }
        return try decode(data, path: path, profile: profile)
    }

    /// A decision's bytes (from a file, or carried by a bundle), checked the same way.
    public static func decode(_ data: Data, path: String, profile: PipelineProfile) throws -> TuneDecision {
        guard let decision = try? JSONDecoder().decode(TuneDecision.self, from: data), decision.kind == TuneDecision.kind else {
            throw DecisionError.notADecision(path: path)
        }
        guard decision.version <= TuneDecision.currentVersion else {
            throw DecisionError.newerVersion(path: path, version: decision.version)
        }
        guard decision.profile == profile.name else {
            throw DecisionError.otherProfile(path: path, decided: decision.profile, profile: profile.name)
        }
        if let name = decision.settings.bolt, !ProfileParser.isSafeName(name) {
            throw DecisionError.notADecision(path: path)
        }
        if decision.boltFlags == nil, decision.settings.pie == false {
            throw DecisionError.weaker(path: path, variant: decision.variant)
        }
        if let flags = decision.boltFlags, flags.isEmpty || flags.contains(where: { $0.isEmpty || $0.contains("\0") }) {
            throw DecisionError.notADecision(path: path)
        }
        return decision
    }

    /// The decision file's SHA-256, for the report.
    public static func digest(path: String) -> String? { FileDigest.sha256(of: path) }
}

public enum DecisionError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String)
    case notADecision(path: String)
    case newerVersion(path: String, version: Int)
    case otherProfile(path: String, decided: String, profile: String)
    case weaker(path: String, variant: String)

    public var description: String {
        switch self {
        case .unreadable(let path): return "--decision \(path): cannot read it (no such regular file, or over 1 MB). Give the decision.json that `temper tune` wrote."
        case .notADecision(let path): return "--decision \(path): not a temper decision file (JSON with \"kind\": \"\(TuneDecision.kind)\" and a valid BOLT flag list). Give the decision.json that `temper tune` wrote."
        case .newerVersion(let path, let version): return "--decision \(path): version \(version), newer than this temper reads (\(TuneDecision.currentVersion)). Update temper."
        case .otherProfile(let path, let decided, let profile): return "--decision \(path) was made for the profile `\(decided)`, not `\(profile)`. Tune this profile (`temper tune`) or give its own decision."
        case .weaker(let path, let variant): return "--decision \(path) chose `\(variant)`, a build without PIE and without BOLT: weaker than the plain build and faster by nothing BOLT gives. Tune again."
        }
    }
}

extension DecisionError: ExitCoded {
    public var exitStatus: Int32 { ExitStatus.badInput }
}
