// server.mjs - an SQS that answers at once: SendMessage and SendMessageBatch in the JSON 1.0
// protocol, every entry successful, nothing stored. For perf/sqs/run.py, so that the router is
// what is measured. Prints "listening PORT" and, on SIGTERM or each GET /stats, the counts.
// usage: node perf/sqs/server.mjs [PORT]
import http from 'node:http';

let calls = 0, messages = 0;
const server = http.createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ calls, messages }));
    return;
  }
  const chunks = [];
  req.on('data', (d) => chunks.push(d));
  req.on('end', () => {
    const target = req.headers['x-amz-target'] || '';
    let body;
    if (target === 'AmazonSQS.SendMessageBatch') {
      // the entry Ids are all we need: read them without a full JSON parse
      const text = Buffer.concat(chunks).toString('latin1');
      const ids = [...text.matchAll(/\{"Id":"(\d+)"/g)].map((m) => m[1]);
      messages += ids.length;
      body = `{"Successful":[${ids.map((id) => `{"Id":"${id}","MessageId":"m${id}","MD5OfMessageBody":"x"}`).join(',')}],"Failed":[]}`;
    } else if (target === 'AmazonSQS.SendMessage') {
      messages++;
      body = '{"MessageId":"m","MD5OfMessageBody":"x"}';
    } else {
      res.writeHead(400, { 'Content-Type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ __type: 'com.amazonaws.sqs#InvalidAction', message: target }));
      return;
    }
    calls++;
    res.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.0' });
    res.end(body);
  });
});
server.keepAliveTimeout = 60000;
server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
process.on('SIGTERM', () => { console.log(JSON.stringify({ calls, messages })); process.exit(0); });
