import TemperModel
import Foundation

/// A private directory under the system's temp directory, for work that belongs to no work dir
/// (`bundle merge`, the bundle format check before a run has a work dir). Made new (never an
/// existing one) and removed when `body` ends, whatever happens.
public enum ScratchDirectory {
    public static func with<T>(_ purpose: String, _ body: (String) async throws -> T) async throws -> T {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("temper-\(purpose)-\(UUID().uuidString)").path
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        } catch {
            throw NewFile.Failure.cannotWrite(path: path, reason: "cannot make a scratch directory (\(error.localizedDescription)); set TMPDIR to a writable directory")
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await body(path)
    }
}
