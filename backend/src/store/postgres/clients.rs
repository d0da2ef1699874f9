//! Clients, their owners and their credits, on PostgreSQL.

use super::{PgStore, BEGIN, TEXT_ORDER};
use crate::domain::{
    AccountNumber, Client, ClientChanges, CreditEntry, CreditOutcome, NewClient, NewUser,
    OutboxKind, PasswordHash, Timestamp, User,
};
use crate::store::rows::{
    ClientRow, CreditRow, UserRow, CLIENT_COLUMNS, CLIENT_FROM, CREDIT_COLUMNS, USER_RETURNING,
};
use crate::store::sql::{
    bind, bind_as, bind_scalar, client_order, client_set, client_where, insert_user, map_err, ms,
    new_user_args, next_updated_at, stream_rows, Arg, INSERT_OUTBOX,
};
use crate::store::{Batches, ClientFilter, ClientStore, StoreError, StoreResult};
use async_trait::async_trait;

#[async_trait]
impl ClientStore for PgStore {
    async fn create_client(
        &self,
        c: &NewClient,
        owner: &NewUser,
        hash: &PasswordHash,
    ) -> StoreResult<(Client, User)> {
        let mut tx = self.pool.begin_with(BEGIN).await.map_err(map_err)?;
        let placeholder = format!("pending-{}", uuid::Uuid::new_v4());
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO clients (account_number, company_name, contact_email, contact_name, \
             phone_number, whatsapp_number, business_address, business_type, gst_number, \
             website, lead_status, notes, credits, is_active, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, TRUE, $13, $13) \
             RETURNING id",
        )
        .bind(&placeholder)
        .bind(&c.company_name)
        .bind(c.contact_email.as_str())
        .bind(&c.contact_name)
        .bind(c.phone_number.as_ref().map(|p| p.as_str()))
        .bind(c.whatsapp_number.as_ref().map(|p| p.as_str()))
        .bind(&c.business_address)
        .bind(c.business_type.map(|t| t.as_str()))
        .bind(c.gst_number.as_ref().map(|g| g.as_str()))
        .bind(c.website.as_ref().map(|w| w.as_str()))
        .bind(c.lead_status.as_str())
        .bind(&c.notes)
        .bind(ms(c.now))
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        let account = AccountNumber::of(id);
        sqlx::query("UPDATE clients SET account_number = $2 WHERE id = $1")
            .bind(id)
            .bind(account.as_str())
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        let mut owner = owner.clone();
        owner.company_id = Some(id);
        // An owner has all its client's modules.
        let sql = format!("{} RETURNING {USER_RETURNING}", insert_user("FALSE"));
        let user = bind_as(
            sqlx::query_as::<_, UserRow>(&sql),
            new_user_args(&owner, hash),
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?
        .into_user()?;
        sqlx::query("UPDATE clients SET owner_id = $2 WHERE id = $1")
            .bind(id)
            .bind(user.id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        // Its own database: provisioned in the background (decision 0027).
        sqlx::query("INSERT INTO client_stores (client_id) VALUES ($1)")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        sqlx::query(INSERT_OUTBOX)
            .bind(id)
            .bind(OutboxKind::Provision.as_str())
            .bind(None::<i64>)
            .bind(ms(c.now))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        self.outbox_signal.notify_one();
        let client = Client {
            id,
            account_number: account,
            company_name: c.company_name.clone(),
            contact_email: c.contact_email.clone(),
            contact_name: c.contact_name.clone(),
            phone_number: c.phone_number.clone(),
            whatsapp_number: c.whatsapp_number.clone(),
            business_address: c.business_address.clone(),
            business_type: c.business_type,
            gst_number: c.gst_number.clone(),
            website: c.website.clone(),
            lead_status: c.lead_status,
            notes: c.notes.clone(),
            credits: 0,
            is_active: true,
            last_login: None,
            created_at: c.now,
            updated_at: c.now,
            owner_id: Some(user.id),
            owner_username: Some(user.username.clone()),
        };
        Ok((client, user))
    }

    async fn client_by_id(&self, id: i64) -> StoreResult<Option<Client>> {
        let sql = format!("SELECT {CLIENT_COLUMNS} {CLIENT_FROM} WHERE c.id = $1");
        sqlx::query_as::<_, ClientRow>(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?
            .map(ClientRow::into_client)
            .transpose()
    }

    async fn list_clients(&self, f: &ClientFilter) -> StoreResult<(Vec<Client>, i64)> {
        let (where_sql, args) = client_where(f);
        let n = args.len();
        let sql = format!(
            "SELECT {CLIENT_COLUMNS} {CLIENT_FROM} {where_sql} ORDER BY {} LIMIT ${} OFFSET ${}",
            client_order(f, TEXT_ORDER),
            n + 1,
            n + 2
        );
        let rows = bind_as(sqlx::query_as::<_, ClientRow>(&sql), args.clone())
            .bind(f.limit)
            .bind(f.offset)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        let count_sql = format!("SELECT COUNT(*) {CLIENT_FROM} {where_sql}");
        let total: i64 = bind_scalar(sqlx::query_scalar(&count_sql), args)
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)?;
        let clients = rows
            .into_iter()
            .map(ClientRow::into_client)
            .collect::<StoreResult<_>>()?;
        Ok((clients, total))
    }

    fn export_clients(&self, f: &ClientFilter) -> Batches<Client> {
        let (where_sql, args) = client_where(f);
        let sql = format!(
            "SELECT {CLIENT_COLUMNS} {CLIENT_FROM} {where_sql} ORDER BY {}",
            client_order(f, TEXT_ORDER)
        );
        stream_rows(self.pool.clone(), sql, args, true, ClientRow::into_client)
    }

    async fn update_client(
        &self,
        id: i64,
        changes: &ClientChanges,
        now: Timestamp,
    ) -> StoreResult<Client> {
        let (mut sets, mut args) = client_set(changes);
        args.push(Arg::Int(ms(now)));
        sets.push(next_updated_at(args.len()));
        args.push(Arg::Int(id));
        let sql = format!(
            "UPDATE clients SET {} WHERE id = ${}",
            sets.join(", "),
            args.len()
        );
        let done = bind(sqlx::query(&sql), args)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        self.client_by_id(id).await?.ok_or(StoreError::NotFound)
    }

    async fn set_client_active(
        &self,
        id: i64,
        active: bool,
        now: Timestamp,
    ) -> StoreResult<Client> {
        let sql = format!(
            "UPDATE clients SET is_active = $2, {} WHERE id = $1",
            next_updated_at(3)
        );
        let mut tx = self.pool.begin_with(BEGIN).await.map_err(map_err)?;
        let done = sqlx::query(&sql)
            .bind(id)
            .bind(active)
            .bind(ms(now))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        // Its users' `is_active` in its own database follows.
        sqlx::query(INSERT_OUTBOX)
            .bind(id)
            .bind(OutboxKind::AllUsers.as_str())
            .bind(None::<i64>)
            .bind(ms(now))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        self.outbox_signal.notify_one();
        self.client_by_id(id).await?.ok_or(StoreError::NotFound)
    }

    async fn adjust_credits(
        &self,
        client_id: i64,
        delta: i64,
        reason: &str,
        actor_id: i64,
        now: Timestamp,
    ) -> StoreResult<CreditOutcome> {
        let mut tx = self.pool.begin_with(BEGIN).await.map_err(map_err)?;
        // One atomic statement: concurrent adjustments serialise on the row.
        let sql = format!(
            "UPDATE clients SET credits = credits + $2, {} \
             WHERE id = $1 AND credits + $2 >= 0 RETURNING credits",
            next_updated_at(3)
        );
        let balance: Option<i64> = sqlx::query_scalar(&sql)
            .bind(client_id)
            .bind(delta)
            .bind(ms(now))
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?;
        let Some(balance) = balance else {
            let current: Option<i64> =
                sqlx::query_scalar("SELECT credits FROM clients WHERE id = $1")
                    .bind(client_id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(map_err)?;
            tx.rollback().await.map_err(map_err)?;
            return Ok(match current {
                Some(balance) => CreditOutcome::Insufficient { balance },
                None => CreditOutcome::NotFound,
            });
        };
        let sql = format!(
            "INSERT INTO credit_ledger (client_id, delta, balance_after, reason, actor_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {CREDIT_COLUMNS}"
        );
        let row = sqlx::query_as::<_, CreditRow>(&sql)
            .bind(client_id)
            .bind(delta)
            .bind(balance)
            .bind(reason)
            .bind(actor_id)
            .bind(ms(now))
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(CreditOutcome::Applied(row.into()))
    }

    async fn list_credits(
        &self,
        client_id: i64,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<CreditEntry>, i64)> {
        let sql = format!(
            "SELECT {CREDIT_COLUMNS} FROM credit_ledger WHERE client_id = $1 \
             ORDER BY id DESC LIMIT $2 OFFSET $3"
        );
        let rows = sqlx::query_as::<_, CreditRow>(&sql)
            .bind(client_id)
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        let total: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM credit_ledger WHERE client_id = $1")
                .bind(client_id)
                .fetch_one(&self.pool)
                .await
                .map_err(map_err)?;
        Ok((rows.into_iter().map(CreditEntry::from).collect(), total))
    }
}
