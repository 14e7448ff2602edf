// gen_pb_corpus.mjs - writes the seed corpus of fuzz_cloudevent_pb (protobuf CloudEvents encoded
// by protobufjs from proto/cloudevents.proto). Run: node tests/fuzz/gen_pb_corpus.mjs
import protobuf from 'protobufjs';
import { writeFileSync } from 'node:fs';
const root = await protobuf.load(new URL("../../proto/cloudevents.proto", import.meta.url).pathname);
const CE = root.lookupType('io.cloudevents.v1.CloudEvent');
const out = new URL("corpus/cloudevent_pb", import.meta.url).pathname;
const seeds = {
  text_json: { id: '1', source: 's', specVersion: '1.0', type: 't', textData: '{"a":[1,2,{"b":null}]}',
    attributes: { time: { ceTimestamp: { seconds: 1795000000, nanos: 1 } }, subject: { ceString: 'sub' } } },
  text_plain: { id: '2', source: 's', specVersion: '1.0', type: 't', textData: 'plain "text"\n',
    attributes: { datacontenttype: { ceString: 'text/plain' }, time: { ceString: '2026-11-26T10:00:00Z' } } },
  binary: { id: '3', source: 's', specVersion: '1.0', type: 't', binaryData: Buffer.from([0, 255, 1, 2]) },
  proto: { id: '4', source: 's', specVersion: '1.0', type: 't', protoData: { typeUrl: 'type.googleapis.com/a.B', value: Buffer.from('xyz') } },
  attrs: { id: '5', source: 's', specVersion: '1.0', type: 't', attributes: { b: { ceBoolean: true }, i: { ceInteger: -3 },
    by: { ceBytes: Buffer.from('q') }, u: { ceUri: 'https://x' }, r: { ceUriRef: '/x' }, datacontenttype: { ceString: 'application/cloudevents+json' } }, textData: '7' },
  no_data: { id: '6', source: 's', specVersion: '1.0', type: 't' },
};
for (const [name, v] of Object.entries(seeds)) writeFileSync(`${out}/${name}.pb`, CE.encode(CE.fromObject(v)).finish());
