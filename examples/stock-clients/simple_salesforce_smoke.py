"""simple-salesforce 1.12.10 against the forcesync sandbox (plain HTTP on loopback)."""
import sys, requests
from simple_salesforce import Salesforce

base = sys.argv[1]                      # e.g. http://127.0.0.1:8443
host = base.split("://", 1)[1]

class PlainHttp(requests.Session):
    # simple-salesforce always builds https:// URLs (https://{domain}.salesforce.com for login,
    # https://{instance} afterwards); the sandbox speaks plain HTTP, so send them there.
    def request(self, method, url, *args, **kwargs):
        url = url.replace("https://sandbox.salesforce.com", base).replace(f"https://{host}", base)
        return super().request(method, url, *args, **kwargs)

sf = Salesforce(username="sync@forcesync.test", password="sandbox-password", security_token="SANDBOXTOKEN",
                domain="sandbox", version="64.0", session=PlainHttp())
print("login", sf.sf_instance, sf.session_id[:16])
print("create", sf.Account.create({"Name": "Py Co", "ForceSync_Key__c": "py:1"}))
print("upsert", sf.Contact.upsert("ForceSync_Key__c/py:c1", {"LastName": "O'Hara", "Email": "o'hara@example.com"}))
print("query", sf.query("SELECT Id, Name FROM Account WHERE ForceSync_Key__c = 'py:1'")["totalSize"])
print("query_all", len(sf.query_all("SELECT Id FROM Contact")["records"]))
acct = sf.query("SELECT Id FROM Account")["records"][0]["Id"]
print("get", sf.Account.get(acct)["Name"])
print("update", sf.Account.update(acct, {"Phone": "555"}))
print("describe", len(sf.Account.describe()["fields"]))
print("limits", sf.limits()["DailyApiRequests"])
res = sf.bulk2.Product2.upsert(records=[{"Name": "Widget", "ProductCode": "W-1", "ForceSync_Key__c": "py:p1"}, {"Name": "Gadget", "ProductCode": "G-1", "ForceSync_Key__c": "py:p2"}],
                               external_id_field="ForceSync_Key__c")
print("bulk2", res)
print("delete", sf.Account.delete(acct))
