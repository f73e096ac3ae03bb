import TemperModel
import Foundation

/// A profile bundle read into memory: its manifest, its files, and the SHA-256 of the whole
/// file (the import stage's fingerprint: a new bundle rebuilds, the same bundle reuses).
public struct ProfileBundle: Sendable {
    public var manifest: BundleManifest
    public var files: [String: Data]
    public var sha256: String

    /// Bundles hold profiles and a manifest; a larger file is not one.
    static let maximumBytes = 4 << 30

    public init(manifest: BundleManifest, files: [String: Data]) {
        self.manifest = manifest
        self.files = files
        self.sha256 = ""
    }

    /// Reads and checks a bundle: a tar archive holding `manifest.json` of a version this temper
    /// reads, and every file the manifest names with the digest it records.
    public static func read(path: String) throws -> ProfileBundle {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw BundleError.unreadable(path: path, reason: "no such file")
        }
        guard (attributes[.type] as? FileAttributeType) == .typeRegular else {
            throw BundleError.unreadable(path: path, reason: "it is not a regular file")
        }
        guard let size = attributes[.size] as? Int, size <= maximumBytes else {
            throw BundleError.invalid(path: path, reason: "it is larger than 4 GiB")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BundleError.unreadable(path: path, reason: "permission denied")
        }
        let entries: [String: Data]
        do {
            entries = try TarArchive.read(data)
        } catch let failure as TarArchive.Failure {
            throw BundleError.invalid(path: path, reason: "\(failure)")
        }
        guard let manifestData = entries[BundleManifest.fileName] else {
            throw BundleError.invalid(path: path, reason: "it holds no \(BundleManifest.fileName)")
        }
        let manifest: BundleManifest
        do {
            manifest = try JSONDecoder().decode(BundleManifest.self, from: manifestData)
        } catch {
            throw BundleError.invalid(path: path, reason: "its manifest does not parse (\(error))")
        }
        // temper writes no control characters into a manifest: strings that carry them would
        // reach the terminal (bundle show, merge, a run's import line) from a hostile file.
        if let field = Self.controlCharacterField(manifestData) {
            throw BundleError.invalid(path: path, reason: "its manifest holds control characters (in \(TerminalText.escaped(field))); temper did not write it")
        }
        guard manifest.format == "temper-bundle" else {
            throw BundleError.invalid(path: path, reason: "its manifest's format is `\(manifest.format)`")
        }
        guard manifest.version >= 1, manifest.version <= BundleManifest.currentVersion else {
            throw BundleError.invalid(path: path, reason: "its manifest is version \(manifest.version); this temper reads version \(BundleManifest.currentVersion). Use a newer temper")
        }
        for name in manifest.entryNames {
            guard TarArchive.isSafe(name), name != BundleManifest.fileName, entries[name] != nil else {
                throw BundleError.invalid(path: path, reason: "the manifest names `\(name)`, which the archive does not hold")
            }
        }
        guard FileDigest.sha256(of: entries[manifest.profile.file]!) == manifest.profile.sha256 else {
            throw BundleError.invalid(path: path, reason: "\(manifest.profile.file) does not have the SHA-256 its manifest records (the file is damaged)")
        }
        var artifacts: Set<String> = []
        for bolt in manifest.bolt?.profiles ?? [] {
            guard OutputNameCheck.isPlainName(bolt.artifact) else {
                throw BundleError.invalid(path: path, reason: "the BOLT artifact name `\(bolt.artifact)` is not a plain file name")
            }
            guard artifacts.insert(bolt.artifact).inserted else {
                throw BundleError.invalid(path: path, reason: "the manifest lists the BOLT artifact `\(bolt.artifact)` twice")
            }
            guard FileDigest.sha256(of: entries[bolt.fdata]!) == bolt.fdataSha256 else {
                throw BundleError.invalid(path: path, reason: "\(bolt.fdata) does not have the SHA-256 its manifest records (the file is damaged)")
            }
            for (name, digest) in [(bolt.yaml, bolt.yamlSha256), (bolt.dispatch, bolt.dispatchSha256)] {
                guard let name, let digest else { continue }
                guard let data = entries[name], FileDigest.sha256(of: data) == digest else {
                    throw BundleError.invalid(path: path, reason: "\(name) does not have the SHA-256 its manifest records (the file is damaged)")
                }
            }
        }
        var bundle = ProfileBundle(manifest: manifest, files: entries.filter { $0.key != BundleManifest.fileName })
        bundle.sha256 = FileDigest.sha256(of: data)
        return bundle
    }

    /// The bundle as bytes: the manifest and the files, as a deterministic tar archive.
    public func encoded() throws -> Data {
        var entries = files
        // Every file the manifest names carries its checksum: the one place a bundle is written.
        var manifest = manifest
        if var bolt = manifest.bolt {
            for index in bolt.profiles.indices {
                bolt.profiles[index].yamlSha256 = bolt.profiles[index].yaml.flatMap { files[$0] }.map(FileDigest.sha256(of:))
                bolt.profiles[index].dispatchSha256 = bolt.profiles[index].dispatch.flatMap { files[$0] }.map(FileDigest.sha256(of:))
            }
            manifest.bolt = bolt
        }
        entries[BundleManifest.fileName] = try JSONEncoder.temper.encode(manifest)
        return try TarArchive.write(entries)
    }

    /// Writes the bundle to a new file (never over an existing one).
    public func write(to path: String) throws {
        try Self.checkOutput(path)
        do {
            try NewFile.write(try encoded(), to: path)
        } catch let failure as NewFile.Failure {
            throw BundleError(failure)
        }
    }

    /// An output path is checked before any work: free, in a directory that exists.
    public static func checkOutput(_ path: String) throws {
        do {
            try NewFile.check(path)
        } catch let failure as NewFile.Failure {
            throw BundleError(failure)
        }
    }

}

/// Names that become file names inside the work dir must be plain.
package enum OutputNameCheck {
    package static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.contains("\0") && name.utf8.count <= 200
    }

}

extension ProfileBundle {
    /// The first key (or value position) of a JSON document whose string holds a control character.
    static func controlCharacterField(_ data: Data) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: data) else { return nil }
        func walk(_ value: Any, _ path: String) -> String? {
            if let string = value as? String { return TerminalText.hasControls(string) ? path : nil }
            if let array = value as? [Any] { return array.enumerated().lazy.compactMap { walk($0.element, "\(path)[\($0.offset)]") }.first }
            if let dictionary = value as? [String: Any] {
                for (key, child) in dictionary.sorted(by: { $0.key < $1.key }) {
                    if TerminalText.hasControls(key) { return path.isEmpty ? key : path + "." + key }
                    if let found = walk(child, path.isEmpty ? key : path + "." + key) { return found }
                }
            }
            return nil
        }
        return walk(object, "")
    }
}
