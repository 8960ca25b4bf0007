//! Seized goods (涉案物品): recorded for a case by its responsible agency (the case's
//! write rule), handed over and destroyed (无害化销毁) by the agency holding them, read
//! with their case.

use chrono::NaiveDate;
use wangjian_domain::seized::{self, SeizedError, SeizedItem};
use wangjian_domain::{CaseId, SeizedItemId};

use crate::error::AppError;
use crate::policy::{decide, Action, Resource};
use crate::workflow::check_version;
use crate::{App, Call};

/// A domain refusal naming the input field at fault.
fn seized_error(e: SeizedError) -> AppError {
    let field = match &e {
        SeizedError::Empty(what) => match *what {
            "the description" => "description",
            "the unit" => "unit",
            "the custody location" => "custody",
            "the handover's from" => "from",
            "the handover's to" => "to",
            "the method" => "method",
            "the place" => "place",
            other => other,
        },
        SeizedError::Quantity => "quantity",
        SeizedError::Witnesses(_) => "witnesses",
        SeizedError::FutureDestruction { .. } => "on",
        // The item is elsewhere: the `from` given is wrong.
        SeizedError::WrongCustody { .. } => "from",
        SeizedError::Destroyed(_) => return AppError::rule(e),
        SeizedError::NotPermitted => return AppError::Forbidden(e.to_string()),
        SeizedError::Ids(_) => return AppError::Unavailable(e.to_string()),
    };
    AppError::invalid(field, e.to_string())
}

/// A destruction record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDestruction {
    /// The day it was destroyed (not after today).
    pub on: NaiveDate,
    /// How (焚烧, 粉碎 …).
    pub method: String,
    /// Where.
    pub place: String,
    /// At least two witnesses.
    pub witnesses: Vec<String>,
}

impl App {
    /// A seized item the caller may read (with its case), with its policy resource.
    pub async fn visible_seized(
        &self,
        call: &Call,
        id: SeizedItemId,
    ) -> Result<(SeizedItem, Resource), AppError> {
        let s = self.store();
        let item = s.seized_item(id).await?.ok_or(AppError::NotFound)?;
        let file = s.case_file(item.case).await?;
        let res = Resource::SeizedItem {
            case: self.case_facts(&file).await?,
            holder: item.org,
        };
        decide(&call.principal, Action::Read, &res).into_result()?;
        Ok((item, res))
    }

    async fn held_item(
        &self,
        call: &Call,
        id: SeizedItemId,
        expected_version: Option<i64>,
    ) -> Result<SeizedItem, AppError> {
        let (item, res) = self.visible_seized(call, id).await?;
        decide(&call.principal, Action::Write, &res).into_result()?;
        check_version(expected_version, item.version)?;
        Ok(item)
    }

    /// Records goods seized in case `id`.
    pub async fn record_seizure(
        &self,
        call: &Call,
        id: CaseId,
        description: &str,
        quantity: u64,
        unit: &str,
        custody: &str,
    ) -> Result<SeizedItem, AppError> {
        let m = call.member()?;
        let (file, _) = self.writable_case(call, id).await?;
        let change = seized::record_seizure(
            &m.actor,
            file.case.id,
            description,
            quantity,
            unit,
            custody,
            &self.context(call),
        )
        .map_err(seized_error)?;
        Ok(self.store().apply(change).await?.value)
    }

    /// Records a handover of custody.
    pub async fn hand_over(
        &self,
        call: &Call,
        id: SeizedItemId,
        expected_version: Option<i64>,
        from: &str,
        to: &str,
        note: &str,
    ) -> Result<SeizedItem, AppError> {
        let m = call.member()?;
        let item = self.held_item(call, id, expected_version).await?;
        let change = seized::hand_over(&m.actor, &item, from, to, note, &self.context(call))
            .map_err(seized_error)?;
        Ok(self.store().apply(change).await?.value)
    }

    /// Records the destruction of a seized item.
    pub async fn destroy(
        &self,
        call: &Call,
        id: SeizedItemId,
        expected_version: Option<i64>,
        d: &NewDestruction,
    ) -> Result<SeizedItem, AppError> {
        let m = call.member()?;
        let item = self.held_item(call, id, expected_version).await?;
        let change = seized::destroy(
            &m.actor,
            &item,
            d.on,
            &d.method,
            &d.place,
            &d.witnesses,
            &self.context(call),
        )
        .map_err(seized_error)?;
        Ok(self.store().apply(change).await?.value)
    }
}
