import jsforce from 'jsforce';
const url = process.argv[2];
const conn = new jsforce.Connection({ loginUrl: url, version: '64.0' });
const log = (k, v) => console.log(k, JSON.stringify(v));
try {
  const info = await conn.login('sync@forcesync.test', 'sandbox-password' + 'SANDBOXTOKEN');
  log('login', { instanceUrl: conn.instanceUrl, org: info.organizationId });
  const created = await conn.sobject('Account').create({ Name: 'jsforce Co', ForceSync_Key__c: 'js:1' });
  log('create', created);
  const up = await conn.sobject('Contact').upsert({ ForceSync_Key__c: 'js:c1', LastName: "O'Hara", Email: "o'hara@example.com" }, 'ForceSync_Key__c');
  log('upsert', up);
  const q = await conn.query("SELECT Id, Name FROM Account WHERE ForceSync_Key__c = 'js:1'");
  log('query', { totalSize: q.totalSize, name: q.records[0]?.Name });
  const r = await conn.sobject('Account').retrieve(created.id);
  log('retrieve', r.Name);
  await conn.sobject('Account').update({ Id: created.id, Phone: '555' });
  log('update', 'ok');
  const d = await conn.describe('Account');
  log('describe', d.fields.length);
  const lim = await conn.limits();
  log('limits', lim.DailyApiRequests);
  try {
    const res = await conn.bulk2.loadAndWaitForResults({ object: 'Product2', operation: 'upsert', externalIdFieldName: 'ForceSync_Key__c', input: 'Name,ProductCode,ForceSync_Key__c\nWidget,W-1,p:1\nGadget,G-1,p:2\n', pollTimeout: 20000 });
    log('bulk2', { ok: res.successfulResults.length, failed: res.failedResults.length });
  } catch (e) { log('bulk2 error', String(e)); }
  try {
    const col = await conn.sobject('Account').create([{ Name: 'c1' }, { Name: 'c2' }], { allOrNone: true });
    log('collections', col.map(x => x.success));
  } catch (e) { log('collections error', String(e)); }
  await conn.sobject('Account').destroy(created.id);
  log('delete', 'ok');
  await conn.logout();
  log('logout', 'ok');
} catch (e) { console.log('ERROR', e.name, e.message); process.exit(1); }
