import Foundation
import NIOCore
import SwitchyardModel

/// Reads and validates a CreateModelInvocationJob body: everything the service model constrains that boto3 leaves
/// to the server (max lengths, patterns, enums, ranges), so a bad request is a ValidationException, never a job.
package enum BatchJobCreateDecoder {
    package struct Options {
        /// The IAM role pattern applies only when AWS itself runs the job; other runners never assume the role, and
        /// callers write placeholders there (`not-required-for-openai`).
        var requireIAMRole: Bool
        var provider: String?
        var region: String

        package init(requireIAMRole: Bool, provider: String?, region: String) {
            self.requireIAMRole = requireIAMRole
            self.provider = provider
            self.region = region
        }
    }

    package static func decode(_ body: ByteBuffer, options: Options) throws(GatewayError) -> BatchJobSpec {
        guard body.readableBytes > 0,
            let object = (try? JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView)))?.objectValue
        else {
            throw GatewayError(.validation, "the request body must be a JSON object")
        }
        let name = try requiredString(object, "jobName")
        try BatchJobPatterns.check(name, at: "jobName", length: 1...63)
        try BatchJobPatterns.check(name, at: "jobName", pattern: BatchJobPatterns.jobName)

        let role = try requiredString(object, "roleArn")
        try BatchJobPatterns.check(role, at: "roleArn", length: 0...2048)
        if options.requireIAMRole { try BatchJobPatterns.check(role, at: "roleArn", pattern: BatchJobPatterns.roleArn) }

        let modelId = try requiredString(object, "modelId")
        try BatchJobPatterns.check(modelId, at: "modelId", length: 1...2048)

        var token: String?
        if object["clientRequestToken"] != nil {
            let value = try string(object, "clientRequestToken")
            try BatchJobPatterns.check(value, at: "clientRequestToken", length: 1...256)
            try BatchJobPatterns.check(value, at: "clientRequestToken", pattern: BatchJobPatterns.clientRequestToken)
            token = value
        }

        let input = try s3Config(object, member: "inputDataConfig", union: "s3InputDataConfig")
        if let format = input["s3InputFormat"] {
            guard format.stringValue == "JSONL" else {
                throw BatchJobPatterns.violation(
                    text(format), at: "inputDataConfig.s3InputDataConfig.s3InputFormat", "Member must satisfy enum value set: [JSONL]")
            }
        }
        let inputURI = try s3Uri(input, at: "inputDataConfig.s3InputDataConfig.s3Uri")
        let output = try s3Config(object, member: "outputDataConfig", union: "s3OutputDataConfig")
        let outputURI = try s3Uri(output, at: "outputDataConfig.s3OutputDataConfig.s3Uri")
        for (config, path) in [(input, "inputDataConfig.s3InputDataConfig"), (output, "outputDataConfig.s3OutputDataConfig")] {
            if let owner = config["s3BucketOwner"] {
                try BatchJobPatterns.check(text(owner), at: "\(path).s3BucketOwner", pattern: BatchJobPatterns.bucketOwner)
            }
        }

        var timeout: Int?
        if let raw = object["timeoutDurationInHours"] {
            guard let hours = raw.doubleValue, hours.isFinite, hours == hours.rounded() else {
                throw GatewayError(.validation, "timeoutDurationInHours must be a whole number of hours")
            }
            if hours < 24 {
                throw BatchJobPatterns.violation(text(raw), at: "timeoutDurationInHours", "Member must have value greater than or equal to 24")
            }
            if hours > 168 {
                throw BatchJobPatterns.violation(text(raw), at: "timeoutDurationInHours", "Member must have value less than or equal to 168")
            }
            timeout = Int(hours)
        }

        var invocationType: String?
        if object["modelInvocationType"] != nil {
            let value = try string(object, "modelInvocationType")
            guard ["InvokeModel", "Converse"].contains(value) else {
                throw BatchJobPatterns.violation(value, at: "modelInvocationType", "Member must satisfy enum value set: [InvokeModel, Converse]")
            }
            invocationType = value
        }

        if let vpc = object["vpcConfig"] {
            func strings(_ member: String) -> [String]? {
                guard let list = vpc[member]?.arrayValue else { return nil }
                let texts = list.compactMap(\.stringValue)
                return texts.count == list.count ? texts : nil
            }
            guard let subnets = strings("subnetIds"), let groups = strings("securityGroupIds"),
                (1...16).contains(subnets.count), (1...5).contains(groups.count)
            else {
                throw GatewayError(.validation, "vpcConfig must have 1 to 16 subnetIds and 1 to 5 securityGroupIds")
            }
        }

        return BatchJobSpec(
            name: name, roleArn: role, clientRequestToken: token, modelId: modelId, inputURI: inputURI, outputURI: outputURI,
            timeoutHours: timeout, tags: try tags(object["tags"]), invocationType: invocationType, provider: options.provider,
            region: options.region)
    }

    static func tags(_ raw: JSONValue?) throws(GatewayError) -> [String: String] {
        guard let raw else { return [:] }
        guard let list = raw.arrayValue else { throw GatewayError(.validation, "tags must be a list of {key, value} objects") }
        if list.count > 200 {
            throw BatchJobPatterns.violation("\(list.count) tags", at: "tags", "Member must have length less than or equal to 200")
        }
        var out: [String: String] = [:]
        for (i, item) in list.enumerated() {
            guard let key = item["key"]?.stringValue, let value = item["value"]?.stringValue else {
                throw GatewayError(.validation, "tags[\(i)] must be an object with a string key and a string value")
            }
            try BatchJobPatterns.check(key, at: "tags.\(i + 1).member.key", length: 1...128)
            try BatchJobPatterns.check(key, at: "tags.\(i + 1).member.key", pattern: BatchJobPatterns.tag)
            try BatchJobPatterns.check(value, at: "tags.\(i + 1).member.value", length: 0...256)
            try BatchJobPatterns.check(value, at: "tags.\(i + 1).member.value", pattern: BatchJobPatterns.tag)
            out[key] = value
        }
        return out
    }

    static func s3Config(_ object: [String: JSONValue], member: String, union: String) throws(GatewayError) -> [String: JSONValue] {
        guard let outer = object[member] else { throw missing(member) }
        guard let outer = outer.objectValue, outer.count == 1, let inner = outer[union]?.objectValue else {
            throw GatewayError(.validation, "\(member) must set exactly one member, \(union)")
        }
        return inner
    }

    static func s3Uri(_ config: [String: JSONValue], at path: String) throws(GatewayError) -> String {
        guard let raw = config["s3Uri"] else { throw missing(path) }
        guard let uri = raw.stringValue else { throw GatewayError(.validation, "\(path) must be a string") }
        try BatchJobPatterns.check(uri, at: path, length: 1...1024)
        try BatchJobPatterns.check(uri, at: path, pattern: BatchJobPatterns.s3Uri)
        return uri
    }

    static func requiredString(_ object: [String: JSONValue], _ member: String) throws(GatewayError) -> String {
        guard object[member] != nil else { throw missing(member) }
        return try string(object, member)
    }

    static func string(_ object: [String: JSONValue], _ member: String) throws(GatewayError) -> String {
        guard let value = object[member]?.stringValue else { throw GatewayError(.validation, "\(member) must be a string") }
        return value
    }

    /// A value as the caller wrote it, for a message: a string bare, anything else as JSON.
    static func text(_ value: JSONValue) -> String {
        value.stringValue ?? value.documentText
    }

    static func missing(_ member: String) -> GatewayError {
        GatewayError(.validation, "1 validation error detected: Value null at '\(member)' failed to satisfy constraint: Member must not be null")
    }
}
