//! The identity service behind the URL logins hand out (OAuth's `id`, and what
//! clients build from SOAP's userInfo): `GET /id/{orgId}/{userId}` with the user's
//! token answers who the user is and where the org's APIs live.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::ids::SfId;
use crate::org::format_datetime;

use super::Directory;

/// The identity URL of a user: `{base}/id/{orgId}/{userId}`, 18-character Ids.
pub fn url(base: &str, org_id: &str, user_id: &str) -> String {
    format!("{base}/id/{org_id}/{user_id}")
}

/// Why an identity request is refused: the HTTP status and Salesforce's plain-text token.
// [unconfirmed] Salesforce's identity service answers these with short plain-text
// tokens, not the REST error array. Which statuses it uses is not in the reference:
// a bad or missing token is answered 401 (so clients' refresh-once logic runs, like
// INVALID_SESSION_ID on REST), an Id of another org 403 and one of another user, or an
// Id that does not parse, 404.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityError {
    MissingToken,
    BadToken,
    WrongOrg,
    BadId,
}

impl IdentityError {
    pub fn status(self) -> u16 {
        match self {
            Self::MissingToken | Self::BadToken => 401,
            Self::WrongOrg => 403,
            Self::BadId => 404,
        }
    }

    pub fn text(self) -> &'static str {
        match self {
            Self::MissingToken => "Missing_OAuth_Token",
            Self::BadToken => "Bad_OAuth_Token",
            Self::WrongOrg => "Wrong_Org",
            Self::BadId => "Bad_Id",
        }
    }
}

/// Both Ids in their 15-character form, for comparing with what the path says.
fn same_id(a: &str, b: &str) -> bool {
    matches!((SfId::parse(a), SfId::parse(b)), (Ok(a), Ok(b)) if a.as_15() == b.as_15())
}

impl Directory {
    /// The identity document for `(org_id, user_id)` from the path, if `token` belongs to
    /// that user. `base` is how the caller reached the sandbox.
    pub fn identity(
        &mut self,
        token: Option<&str>,
        org_id: &str,
        user_id: &str,
        base: &str,
        modified: DateTime<Utc>,
    ) -> Result<Value, IdentityError> {
        let token = token.filter(|t| !t.is_empty()).ok_or(IdentityError::MissingToken)?;
        let session = self.authenticate(token).map_err(|_| IdentityError::BadToken)?;
        if !same_id(org_id, &self.org_id) {
            return Err(IdentityError::WrongOrg);
        }
        if !same_id(user_id, &session.user_id) {
            return Err(IdentityError::BadId);
        }
        let user = self.users.iter().find(|u| u.id == session.user_id).ok_or(IdentityError::BadId)?;
        Ok(document(base, &self.org_id, &user.id, &user.username, &user.email, modified))
    }
}

/// The identity JSON, shaped like Salesforce's. Names, time zone and language match
/// what SOAP login's userInfo reports for every sandbox user.
fn document(base: &str, org_id: &str, user_id: &str, username: &str, email: &str, modified: DateTime<Utc>) -> Value {
    let org15 = org_id.get(..15).unwrap_or(org_id);
    let data = |path: &str| format!("{base}/services/data/v{{version}}/{path}");
    let soap = |letter: &str| format!("{base}/services/Soap/{letter}/{{version}}/{org15}");
    let nick_name = username.split('@').next().unwrap_or(username);
    json!({
        "id": url(base, org_id, user_id),
        "asserted_user": true,
        "user_id": user_id,
        "organization_id": org_id,
        "username": username,
        "nick_name": nick_name,
        "display_name": "Integration User",
        "email": email,
        "email_verified": true,
        "first_name": "Integration",
        "last_name": "User",
        "timezone": "UTC",
        "photos": {
            "picture": format!("{base}/profilephoto/005/F"),
            "thumbnail": format!("{base}/profilephoto/005/T"),
        },
        "addr_street": null, "addr_city": null, "addr_state": null, "addr_country": null, "addr_zip": null,
        "mobile_phone": null,
        "mobile_phone_verified": false,
        "is_lightning_login_user": false,
        "status": { "created_date": null, "body": null },
        "urls": {
            "enterprise": soap("c"),
            "metadata": soap("m"),
            "partner": soap("u"),
            "rest": data(""),
            "sobjects": data("sobjects/"),
            "search": data("search/"),
            "query": data("query/"),
            "recent": data("recent/"),
            "tooling_soap": soap("T"),
            "tooling_rest": data("tooling/"),
            "profile": format!("{base}/{user_id}"),
            "feeds": data("chatter/feeds"),
            "groups": data("chatter/groups"),
            "users": data("chatter/users"),
            "feed_items": data("chatter/feed-items"),
            "feed_elements": data("chatter/feed-elements"),
            "custom_domain": base,
        },
        "active": true,
        "user_type": "STANDARD",
        "language": "en_US",
        "locale": "en_US",
        "utcOffset": 0,
        "last_modified_date": format_datetime(modified),
        "is_app_installed": true,
    })
}
