import Foundation
import SwitchyardModel

/// EKS (IRSA) and any OIDC federation: the token file is read again at every fetch (the kubelet rotates it),
/// and exchanged at STS with `AssumeRoleWithWebIdentity`.
struct WebIdentityCredentialSource: AWSCredentialSource {
    let tokenFile: String
    let roleArn: String
    let sessionName: String?
    let sts: STSClient
    var description: String { "web-identity (role \(roleArn))" }

    func fetch() async throws -> FetchedCredentials {
        let token: String
        do {
            token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw CredentialFailure("\(description): cannot read the token file '\(tokenFile)'")
        }
        guard !token.isEmpty else { throw CredentialFailure("\(description): the token file '\(tokenFile)' is empty") }
        return try await sts.assumeRoleWithWebIdentity(roleArn: roleArn, sessionName: sessionName, token: token, durationSeconds: nil)
    }
}

/// A role assumed with the credentials of another source (a profile's `role_arn` + `source_profile` /
/// `credential_source`, or a key's `assume_role`).
struct AssumeRoleCredentialSource: AWSCredentialSource {
    let role: AWSCredentialSettings.AssumeRole
    let base: any AWSCredentialSource
    let sts: STSClient
    var description: String { "assume-role \(role.roleArn) from \(base.description)" }

    func fetch() async throws -> FetchedCredentials {
        let caller = try await base.fetch()
        return try await sts.assumeRole(role, as: caller.access)
    }
}
