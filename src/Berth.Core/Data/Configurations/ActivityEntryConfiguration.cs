using Berth.Core.Activity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Berth.Core.Data.Configurations;

internal sealed class ActivityEntryConfiguration : IEntityTypeConfiguration<ActivityEntry>
{
    public void Configure(EntityTypeBuilder<ActivityEntry> builder)
    {
        builder.ToTable("System_RecentActivity");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Id).HasColumnName("ID").ValueGeneratedOnAdd();
        builder.Property(a => a.UserId).HasColumnName("UserID").IsRequired();
        builder.Property(a => a.Message).HasColumnName("Message").IsRequired();
        builder.Property(a => a.Time).HasColumnName("Time").IsRequired();
        builder.HasIndex(a => a.Time).HasDatabaseName("idx_ra_time");
    }
}
