//! The working-day calendar beyond its embedded data: loading a State Council holiday
//! notice (an administrator's act) recomputes every open deadline counted over the days it
//! settles, with an audit event naming the old and new due dates, in one transaction.

use wangjian_store::NoticeLoaded;

use crate::error::AppError;
use crate::{App, Call};

impl App {
    /// Loads a holiday notice file (the format of the embedded `cn-holidays.txt`) as the
    /// caller, an administrator; the calendar in use follows at once.
    pub async fn load_calendar_notice(
        &self,
        call: &Call,
        text: &str,
    ) -> Result<NoticeLoaded, AppError> {
        let m = call.member()?;
        let loaded = self
            .store()
            .load_calendar_notice(&m.actor, text, call.request, call.now)
            .await?;
        Ok(loaded)
    }
}
