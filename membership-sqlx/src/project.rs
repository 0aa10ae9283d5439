//! The SQL projection: each [`RowEffect`] the crate states for an event becomes one
//! statement with bound values. Nothing here knows what an event means, and no domain word
//! is spelled in SQL: roles and statuses arrive as values from the crate's codecs.

use membership::rows::{Field, Kind, RowEffect, Value};
use sqlx::AnyConnection;
use sqlx::any::{Any, AnyArguments};
use sqlx::query::Query;

use crate::error::{StoreError, corrupt};
use crate::sql::to_i64;

/// Runs `effects` in order on `conn`. An effect on an existing row must find exactly one:
/// anything else means the tables and the journal have parted, and the command is refused.
pub(crate) async fn apply(conn: &mut AnyConnection, effects: &[RowEffect]) -> Result<(), StoreError> {
    for effect in effects {
        let (sql, values) = statement(effect);
        let mut query = sqlx::query(crate::sql::built(&sql));
        for value in values {
            query = bind(query, value)?;
        }
        let done = query.execute(&mut *conn).await?;
        if !matches!(effect, RowEffect::Insert { .. }) && done.rows_affected() != 1 {
            let key: Vec<String> = effect.key().iter().map(|(column, value)| format!("{column} = {value:?}")).collect();
            return Err(corrupt(
                effect.table().name(),
                key.join(", "),
                format!("{} rows where an event changes exactly one", done.rows_affected()),
            ));
        }
    }
    Ok(())
}

/// The statement for one effect, with its values in `$n` order.
fn statement(effect: &RowEffect) -> (String, Vec<&Value>) {
    let table = effect.table().name();
    let mut values = Vec::new();
    let sql = match effect {
        RowEffect::Insert { row, .. } => {
            let columns: Vec<&str> = row.iter().map(|(column, _)| *column).collect();
            values.extend(row.iter().map(|(_, value)| value));
            let placeholders: Vec<String> = (1..=row.len()).map(|n| format!("${n}")).collect();
            format!("INSERT INTO {table} ({}) VALUES ({})", columns.join(", "), placeholders.join(", "))
        }
        RowEffect::Set { key, fields, .. } => {
            let set = assignments(fields, &mut values, ", ");
            format!("UPDATE {table} SET {set} WHERE {}", assignments(key, &mut values, " AND "))
        }
        RowEffect::Add { key, column, by, .. } => {
            let key = assignments(key, &mut values, " AND ");
            format!("UPDATE {table} SET {column} = {column} + ({by}) WHERE {key}")
        }
        RowEffect::Delete { key, .. } => {
            format!("DELETE FROM {table} WHERE {}", assignments(key, &mut values, " AND "))
        }
    };
    (sql, values)
}

/// `column = $n` for each field, numbered after the values already taken.
fn assignments<'e>(fields: &'e [Field], values: &mut Vec<&'e Value>, separator: &str) -> String {
    let parts: Vec<String> = fields
        .iter()
        .map(|(column, value)| {
            values.push(value);
            format!("{column} = ${}", values.len())
        })
        .collect();
    parts.join(separator)
}

/// Binds one value as this store keeps it: times as Unix microseconds, counts as `BIGINT`,
/// flags as 0 or 1, nulls typed by their column's kind.
pub(crate) fn bind<'q>(
    query: Query<'q, Any, AnyArguments>,
    value: &Value,
) -> Result<Query<'q, Any, AnyArguments>, StoreError> {
    Ok(match value {
        Value::Text(text) => query.bind(text.clone()),
        Value::Time(at) => query.bind(at.unix_micros()),
        Value::Count(count) => query.bind(to_i64(*count)?),
        Value::Flag(flag) => query.bind(i64::from(*flag)),
        Value::Null(Kind::Text) => query.bind(None::<String>),
        Value::Null(Kind::Time) => query.bind(None::<i64>),
    })
}

#[cfg(test)]
mod tests {
    use membership::rows::{RowEffect, Table, Value};

    use super::statement;

    #[test]
    fn each_effect_is_one_statement_with_every_value_bound() {
        let key = vec![("organization_id", Value::text("o")), ("id", Value::text("i"))];
        let set = RowEffect::Set { table: Table::Offers, key: key.clone(), fields: vec![("status", Value::text("x"))] };
        assert_eq!(statement(&set).0, "UPDATE offers SET status = $1 WHERE organization_id = $2 AND id = $3");
        assert_eq!(statement(&set).1.len(), 3);
        let add = RowEffect::Add { table: Table::Customers, key: key.clone(), column: "member_count", by: -1 };
        assert_eq!(
            statement(&add).0,
            "UPDATE customers SET member_count = member_count + (-1) WHERE organization_id = $1 AND id = $2"
        );
        let insert = RowEffect::Insert { table: Table::Offers, row: key.clone() };
        assert_eq!(statement(&insert).0, "INSERT INTO offers (organization_id, id) VALUES ($1, $2)");
        let delete = RowEffect::Delete { table: Table::Memberships, key };
        assert_eq!(statement(&delete).0, "DELETE FROM memberships WHERE organization_id = $1 AND id = $2");
    }
}
